import { describe, expect, it } from 'vitest';
import type { RoleGrant } from '../../src/config.ts';
import { commandTable } from '../../src/core/commands.ts';
import { homeView } from '../../src/core/home.ts';
import { Policy } from '../../src/core/policy.ts';
import { actor, FakeBackend, FakeDirectory, participant, room } from './fakes.ts';

const MOD_2XX: RoleGrant = { role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '2*' };

function directory(): FakeDirectory {
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1), participant('200', 2), participant('200', 3)], { locked: true }));
  pbx.add(room('201', [participant('201', 4)]));
  pbx.add(room('300', [participant('300', 5)]));
  pbx.add(room('299', [], { endedAt: 1 }));
  return new FakeDirectory(pbx);
}

describe('home view', () => {
  it('shows the role, only the active rooms the person may view with their head counts, and the commands', () => {
    const view = homeView(actor('mod'), { policy: new Policy({ grants: [MOD_2XX] }), directory: directory() });
    expect(view.role).toBe('moderator');
    expect(view.roleReason).toContain('moderator via');
    expect(view.rooms).toEqual([
      { pbx: 'pbx1', room: '200', people: 3, locked: true },
      { pbx: 'pbx1', room: '201', people: 1, locked: false },
    ]);
    expect(view.multiPbx).toBe(false);
    expect(view.commands).toEqual(commandTable());
  });

  it('shows no role and no rooms to someone without a grant', () => {
    const view = homeView(actor('stranger'), { policy: new Policy({ grants: [MOD_2XX] }), directory: directory() });
    expect(view.role).toBeUndefined();
    expect(view.rooms).toEqual([]);
  });
});
