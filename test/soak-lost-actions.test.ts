import { describe, expect, it } from 'vitest';
import { lostActionLine, lostActionReport, userAction } from '../bench/soak/lost-actions.ts';
import type { ActionWorld } from '../bench/soak/platform.ts';

/** A lost action is named with who did what to which target, when, and what was last seen of it. */

const world = (muted: boolean | undefined): ActionWorld => ({
  rooms: ['5000'],
  pickCaller: () => 'Tim',
  effect: (_room, _caller, want) => muted === undefined || muted === want,
  callerState: () => (muted === undefined ? 'not in the room' : muted ? 'muted' : 'unmuted'),
});

describe('soak lost actions', () => {
  it('name the user, the action, its target, when it was issued and the PBX state last seen', () => {
    const action = userAction('slack U0SOAKMOD (moderator) types mute 5000 Tim in C0SOAK1', 1500, () => false, { world: world(false), room: '5000', caller: 'Tim', muted: true });
    expect(action.settled()).toBe(false);
    expect(lostActionLine(action, 21_500, 500)).toBe(
      'action lost: slack U0SOAKMOD (moderator) types mute 5000 Tim in C0SOAK1; issued 1.0 s into the run, given up 20.0 s later; '
      + 'last seen: no answer; PBX: Tim in 5000 unmuted, wanted muted');
  });

  it('settle on an answer or on the effect, and say which was seen', () => {
    expect(userAction('a', 0, () => true).lastSeen()).toBe('answered');
    const done = userAction('b', 0, () => false, { world: world(true), room: '5000', caller: 'Tim', muted: true });
    expect(done.settled()).toBe(true);
  });

  it('list at most the cap and count the rest', () => {
    const lines = Array.from({ length: 3 }, (_, i) => `action lost: ${i}`);
    expect(lostActionReport(lines, 3, 3)).toEqual(lines);
    expect(lostActionReport(lines, 7, 3)).toEqual([...lines, 'action lost: 4 more not listed']);
  });
});
