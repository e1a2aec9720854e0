import { describe, expect, it } from 'vitest';
import { createCompleter } from '../../../adapters/discord/choices.ts';
import type { RoleGrant } from '../../../src/config.ts';
import { actor, FakeBackend, FakeDirectory, participant, room } from '../../core/fakes.ts';

/** Autocomplete offers live rooms and participants, only those the actor may view, at most 25. */

const grant = (g: Partial<RoleGrant>): RoleGrant => ({ role: 'viewer', users: [], groups: [], pbx: '*', rooms: '*', ...g });

function directory(): FakeDirectory {
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1), participant('200', 2, { callerName: 'Tim' })]));
  pbx.add(room('201', [participant('201', 3)]));
  for (let i = 0; i < 40; i++) pbx.add(room(`9${String(i).padStart(2, '0')}`, []));
  return new FakeDirectory(pbx);
}

const viewerOf200 = actor('U1', { platform: 'discord', groups: ['555'] });
const grants = [grant({ groups: ['discord:555'], rooms: '20*' })];

describe('Discord autocomplete choices', () => {
  it('offers only the rooms the actor may view, matching what was typed', () => {
    const complete = createCompleter({ directory: directory(), grants });
    const choices = complete({ actor: viewerOf200, field: 'room', typed: '20', room: undefined, subcommand: 'show' });
    expect(choices.map((c) => c.value)).toEqual(['200', '201']);
    expect(choices[0]?.name).toBe('200 · 2 people');
    expect(complete({ actor: actor('stranger', { platform: 'discord' }), field: 'room', typed: '', room: undefined, subcommand: 'show' })).toEqual([]);
  });

  it('never offers more than 25 choices', () => {
    const complete = createCompleter({ directory: directory(), grants: [] });
    expect(complete({ actor: viewerOf200, field: 'room', typed: '', room: undefined, subcommand: 'show' })).toHaveLength(25);
  });

  it('offers the participants of the chosen room, and `all` where the command takes it', () => {
    const complete = createCompleter({ directory: directory(), grants });
    const mute = complete({ actor: viewerOf200, field: 'participant', typed: '', room: '200', subcommand: 'mute' });
    expect(mute.map((c) => c.value)).toEqual(['all', 'PJSIP/701-00000001', 'PJSIP/702-00000002']);
    const tim = complete({ actor: viewerOf200, field: 'participant', typed: 'tim', room: '200', subcommand: 'listen' });
    expect(tim).toEqual([{ name: 'Tim (702) · PJSIP/702-00000002', value: 'PJSIP/702-00000002' }]);
  });

  it('offers no participants of a room the actor may not view', () => {
    const complete = createCompleter({ directory: directory(), grants: [grant({ groups: ['discord:555'], rooms: '201' })] });
    expect(complete({ actor: viewerOf200, field: 'participant', typed: '', room: '200', subcommand: 'mute' })).toEqual([]);
  });
});
