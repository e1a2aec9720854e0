import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction, MAX_ACTION_ID_LENGTH, tryEncodeAction, type Action } from '../../src/core/actions.ts';
import { BadActionError } from '../../src/core/errors.ts';

const pbx = fc.stringMatching(/^[A-Za-z0-9_.-]{1,32}$/);
const room = fc.stringMatching(/^[A-Za-z0-9_.@+#*-]{1,64}$/);
const uniqueid = fc.tuple(fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }), fc.nat(99_999)).map(([a, b]) => `${a}.${b}`);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('mute' as const), pbx, room, uniqueid, on: fc.boolean() }),
  fc.record({ kind: fc.constant('kick' as const), pbx, room, uniqueid }),
  fc.record({ kind: fc.constant('mute_all' as const), pbx, room, on: fc.boolean() }),
  fc.record({ kind: fc.constant('kick_all' as const), pbx, room }),
  fc.record({ kind: fc.constant('lock' as const), pbx, room, on: fc.boolean() }),
  fc.record({
    kind: fc.constant('transfer' as const), pbx, room, uniqueid,
    exten: fc.stringMatching(/^[0-9A-Za-z*#+_-]{1,40}$/), context: fc.option(fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('page' as const), pbx, room, page: fc.integer({ min: 0, max: 9999 }) }),
);

describe('action ids', () => {
  it('round-trip every action that fits, and refuse with bad_action the ones that do not', () => {
    fc.assert(fc.property(action, (a) => {
      const id = tryEncodeAction(a);
      if (id === undefined) {
        expect(() => encodeAction(a)).toThrow(BadActionError);
        return;
      }
      expect(id.length).toBeLessThanOrEqual(MAX_ACTION_ID_LENGTH);
      expect(decodeAction(id)).toEqual(a);
    }), { numRuns: 1000 });
  });

  it('fit in Discord\'s 100 characters for realistic names, and are versioned', () => {
    const id = encodeAction({ kind: 'mute', pbx: 'eu-west-pbx-01', room: 'weekly-sales-sync-2026', uniqueid: '1767614400.123456', on: true });
    expect(id.startsWith('v1|')).toBe(true);
    expect(id.length).toBeLessThanOrEqual(100);
  });

  it('refuse with a typed error when the longest PBX and room names would overflow', () => {
    const longest: Action = { kind: 'transfer', pbx: 'p'.repeat(32), room: 'r'.repeat(64), uniqueid: '1767614400.123456', exten: '600', context: 'default' };
    expect(() => encodeAction(longest)).toThrow(BadActionError);
    expect(() => encodeAction({ kind: 'kick', pbx: 'p'.repeat(32), room: 'r'.repeat(64), uniqueid: '1.1' })).toThrow(/bad_action|too|characters/);
    expect(encodeAction({ kind: 'lock', pbx: 'p'.repeat(32), room: 'r'.repeat(60), on: true }).length).toBeLessThanOrEqual(100);
  });

  it('refuse fields a button id cannot carry', () => {
    expect(() => encodeAction({ kind: 'kick', pbx: 'pbx1', room: '200|x', uniqueid: '1.1' })).toThrow(BadActionError);
    expect(() => encodeAction({ kind: 'kick', pbx: 'pbx1', room: '200', uniqueid: '1.1\r\n' })).toThrow(BadActionError);
  });

  const tampered = [
    '', 'v1', 'v2|m|pbx1|200|1.1|1', 'v1|zz|pbx1|200', 'v1|m|pbx1|200|1.1', 'v1|m|pbx1|200|1.1|2', 'v1|m|pbx1|200|1.1|1|extra',
    'v1|m|pbx 1|200|1.1|1', 'v1|k|pbx1|20\r\n0|1.1', 'v1|p|pbx1|200|-1', 'v1|p|pbx1|200|99999', 'v1|__proto__|a|b',
    'v1|constructor|a|b', `v1|ka|pbx1|${'r'.repeat(200)}`, 'v1|t|pbx1|200|1.1|6 00|', 'V1|m|pbx1|200|1.1|1',
  ];
  it.each(tampered)('refuse the tampered id %j with bad_action', (id) => {
    expect(() => decodeAction(id)).toThrow(BadActionError);
    try {
      decodeAction(id);
    } catch (err) {
      expect((err as BadActionError).code).toBe('bad_action');
      expect((err as BadActionError).userMessage).not.toContain(id.slice(0, 20) || '\u0000');
    }
  });

  it('never throw anything but BadActionError on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (id) => {
      try {
        decodeAction(id);
      } catch (err) {
        expect(err).toBeInstanceOf(BadActionError);
      }
    }), { numRuns: 500 });
  });
});
