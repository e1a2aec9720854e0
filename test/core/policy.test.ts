import { describe, expect, it } from 'vitest';
import type { RoleGrant, RoleName } from '../../src/config.ts';
import type { Action } from '../../src/core/actions.ts';
import { parseCommand, type Command } from '../../src/core/commands.ts';
import { needsAllRooms, requiredRoleForCommand } from '../../src/core/command-policy.ts';
import { EVERYWHERE, globMatch, Policy, requiredRoleForAction, ROLES } from '../../src/core/policy.ts';
import { actor } from './fakes.ts';

function grant(role: RoleName, extra: Partial<RoleGrant> = {}): RoleGrant {
  return { role, users: [], groups: [], pbx: '*', rooms: '*', ...extra };
}

function command(text: string): Command {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(r.error.userMessage);
  return r.command;
}

/** Every subcommand (and its read/write variants) with the lowest role that may run it. */
const COMMANDS: readonly (readonly [string, RoleName | 'anyone'])[] = [
  ['help', 'anyone'], ['whoami', 'anyone'],
  ['list', 'viewer'], ['show 200', 'viewer'], ['watch 200', 'viewer'], ['unwatch 200', 'viewer'], ['queue 200', 'viewer'],
  ['topic 200 3', 'viewer'],
  ['listen 200 3', 'listener'], ['listen call 0x1', 'listener'], ['calls', 'listener'],
  ['mute 200 3', 'moderator'], ['unmute 200 all', 'moderator'], ['kick 200 3', 'moderator'], ['lock 200', 'moderator'],
  ['unlock 200', 'moderator'], ['record start 200', 'moderator'], ['muzak on 200', 'moderator'], ['stream off 200', 'moderator'],
  ['topic 200 3 hello', 'moderator'], ['transfer 200 3 600', 'moderator'], ['invite 200 555', 'moderator'], ['bringin 200 1', 'moderator'],
  ['alerts on abn', 'admin'], ['audit 200', 'admin'], ['config', 'admin'],
];

const ACTIONS: readonly (readonly [Action, RoleName])[] = [
  [{ kind: 'page', pbx: 'pbx1', room: '200', page: 1 }, 'viewer'],
  [{ kind: 'mute', pbx: 'pbx1', room: '200', uniqueid: '1.1', on: true }, 'moderator'],
  [{ kind: 'kick', pbx: 'pbx1', room: '200', uniqueid: '1.1' }, 'moderator'],
  [{ kind: 'mute_all', pbx: 'pbx1', room: '200', on: true }, 'moderator'],
  [{ kind: 'kick_all', pbx: 'pbx1', room: '200' }, 'moderator'],
  [{ kind: 'lock', pbx: 'pbx1', room: '200', on: false }, 'moderator'],
  [{ kind: 'transfer', pbx: 'pbx1', room: '200', uniqueid: '1.1', exten: '600', context: undefined }, 'moderator'],
];

const scope = { pbx: 'pbx1', room: '200' };

describe('policy matrix: role × command', () => {
  for (const role of ROLES) {
    const policy = new Policy({ grants: [grant(role, { users: ['test:alice'] })] });
    for (const [text, needed] of COMMANDS) {
      const allowed = needed === 'anyone' || ROLES.indexOf(role) >= ROLES.indexOf(needed);
      it(`${role} ${allowed ? 'may' : 'may not'} run \`${text}\``, () => {
        const required = requiredRoleForCommand(command(text));
        expect(required).toBe(needed);
        expect(policy.decide(actor('alice'), required, scope).allowed).toBe(allowed);
      });
    }
    for (const [action, needed] of ACTIONS) {
      const allowed = ROLES.indexOf(role) >= ROLES.indexOf(needed);
      it(`${role} ${allowed ? 'may' : 'may not'} press ${action.kind}`, () => {
        expect(requiredRoleForAction(action)).toBe(needed);
        expect(policy.decide(actor('alice'), requiredRoleForAction(action), scope).allowed).toBe(allowed);
      });
    }
  }
});

describe('policy defaults and scoping', () => {
  it('with nothing configured allows reads and denies changes', () => {
    const policy = new Policy({ grants: [] });
    expect(policy.decide(actor('bob'), 'viewer', scope).allowed).toBe(true);
    expect(policy.decide(actor('bob'), 'listener', scope).allowed).toBe(false);
    expect(policy.decide(actor('bob'), 'moderator', scope).allowed).toBe(false);
  });

  it('once roles are configured, people matching no grant get only help and whoami', () => {
    const policy = new Policy({ grants: [grant('admin', { users: ['test:alice'] })] });
    expect(policy.decide(actor('bob'), 'viewer', scope).allowed).toBe(false);
    expect(policy.decide(actor('bob'), 'anyone', scope).allowed).toBe(true);
  });

  it('grants the local user admin everywhere while others keep the open-read default', () => {
    const policy = new Policy({ grants: [], localAdmin: { platform: 'shell', userId: 'me' } });
    expect(policy.decide(actor('me', { platform: 'shell' }), 'admin', scope).allowed).toBe(true);
    expect(policy.decide(actor('me', { platform: 'slack' }), 'moderator', scope).allowed).toBe(false);
    expect(policy.decide(actor('other', { platform: 'shell' }), 'viewer', scope).allowed).toBe(true);
  });

  it('scopes a grant by PBX glob and room glob', () => {
    const policy = new Policy({ grants: [grant('moderator', { users: ['test:alice'], pbx: 'eu-*', rooms: '2??' })] });
    const alice = actor('alice');
    expect(policy.decide(alice, 'moderator', { pbx: 'eu-1', room: '200' }).allowed).toBe(true);
    expect(policy.decide(alice, 'moderator', { pbx: 'us-1', room: '200' }).allowed).toBe(false);
    expect(policy.decide(alice, 'moderator', { pbx: 'eu-1', room: '2000' }).allowed).toBe(false);
    expect(policy.decide(alice, 'moderator', { pbx: 'eu-1', room: '300' }).allowed).toBe(false);
  });

  it('matches groups as platform:groupId and users by `*`', () => {
    const policy = new Policy({
      grants: [grant('moderator', { groups: ['slack:S0OPS'] }), grant('viewer', { users: ['*'] })],
    });
    expect(policy.decide(actor('carol', { platform: 'slack', groups: ['S0OPS'] }), 'moderator', scope).allowed).toBe(true);
    expect(policy.decide(actor('carol', { platform: 'discord', groups: ['S0OPS'] }), 'moderator', scope).allowed).toBe(false);
    expect(policy.decide(actor('dave', { platform: 'discord' }), 'viewer', scope).allowed).toBe(true);
    expect(policy.decide(actor('dave', { platform: 'discord' }), 'listener', scope).allowed).toBe(false);
  });

  it('takes the highest role among matching grants and says which grant gave it', () => {
    const policy = new Policy({ grants: [grant('viewer', { users: ['*'] }), grant('listener', { users: ['test:alice'] })] });
    const { role, reason } = policy.roleOf(actor('alice'), scope);
    expect(role).toBe('listener');
    expect(reason).toContain('user test:alice');
  });

  it('globs treat regex characters literally', () => {
    expect(globMatch('a.b', 'aXb')).toBe(false);
    expect(globMatch('a.b', 'a.b')).toBe(true);
    expect(globMatch('sales-*', 'sales-weekly')).toBe(true);
    expect(globMatch('(x)', '(x)')).toBe(true);
  });
});

describe('policy: commands that reach every call (calls, listen call) or every PBX (config)', () => {
  it('are exactly `calls`, `listen call` and `config`', () => {
    expect(needsAllRooms(command('config'))).toBe(true);
    expect(needsAllRooms(command('calls'))).toBe(true);
    expect(needsAllRooms(command('calls 555'))).toBe(true);
    expect(needsAllRooms(command('listen call 0x1'))).toBe(true);
    expect(needsAllRooms(command('listen 200 3'))).toBe(false);
    expect(needsAllRooms(command('show 200'))).toBe(false);
  });

  /** grant scope → may a listener (and each higher role) use them; a scoped grant never may. */
  const MATRIX: readonly (readonly [pbx: string, rooms: string, allowed: boolean])[] = [
    ['*', '*', true], ['*', 'sales-*', false], ['eu-*', '*', false], ['eu-*', 'sales-*', false], ['pbx1', '200', false], ['*', '2??', false],
  ];
  for (const role of ROLES) {
    for (const [pbx, rooms, wide] of MATRIX) {
      const allowed = wide && ROLES.indexOf(role) >= ROLES.indexOf('listener');
      it(`${role} on pbx ${pbx} rooms ${rooms} ${allowed ? 'may' : 'may not'}`, () => {
        const policy = new Policy({ grants: [grant(role, { users: ['test:alice'], pbx, rooms })] });
        expect(policy.decide(actor('alice'), 'listener', EVERYWHERE).allowed).toBe(allowed);
      });
    }
  }

  it('a scoped listener still listens to participants of the rooms it covers', () => {
    const policy = new Policy({ grants: [grant('listener', { users: ['test:alice'], rooms: 'sales-*' })] });
    expect(policy.decide(actor('alice'), 'listener', { pbx: 'pbx1', room: 'sales-weekly' }).allowed).toBe(true);
    expect(policy.decide(actor('alice'), 'listener', { pbx: 'pbx1', room: '200' }).allowed).toBe(false);
  });

  it('the local admin and the open-read default behave as before', () => {
    const policy = new Policy({ grants: [], localAdmin: { platform: 'shell', userId: 'me' } });
    expect(policy.decide(actor('me', { platform: 'shell' }), 'listener', EVERYWHERE).allowed).toBe(true);
    expect(policy.decide(actor('other', { platform: 'shell' }), 'listener', EVERYWHERE).allowed).toBe(false);
  });
});
