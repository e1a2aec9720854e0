import { afterEach, describe, expect, it } from 'vitest';
import { UnsafeDialValueError } from '../../src/conference/errors.ts';
import { fillTemplate } from '../../src/conference/template.ts';
import { isBotError } from '../../src/errors.ts';
import { names, rejection, startHarness, until, type Harness } from './sim-harness.ts';

describe('fillTemplate', () => {
  it('substitutes plain values', () => {
    expect(fillTemplate('Local/muzak-{room}@musiconhold', { room: '200' })).toBe('Local/muzak-200@musiconhold');
  });

  it.each(['x@evil', 'a/b', 'a,b', 'a;2', 'a&PJSIP/999', 'a|b', 'a\tb', 'a\u007fb'])('refuses %j, which would change the address', (room) => {
    expect(() => fillTemplate('Local/muzak-{room}@musiconhold', { room })).toThrow(UnsafeDialValueError);
  });

  it('names the value in a user message, without control characters', () => {
    const err = (() => {
      try {
        fillTemplate('{room}', { room: 'x@evil\n' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isBotError(err, 'unsafe_dial_value')).toBe(true);
    expect((err as UnsafeDialValueError).userMessage).toBe('Room name "x@evil?" contains a character that cannot be used in a phone system address (@ / , ; & | or a control character).');
  });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a room whose name would change a dial string', () => {
  it.each(['muzak', 'stream'] as const)('%s is refused and nothing is originated', async (kind) => {
    h = await startHarness('confbridge', {
      config: { muzak: { channel: 'Local/muzak-{room}@musiconhold', context: 'confs', exten: '{room}' } },
      sim: { dialplan: { entries: [{ context: 'confs', exten: '666', room: 'x@evil' }] } },
    });
    h.sim.join('x@evil', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, 'x@evil').length === 1);
    const err = await rejection(h.conn[kind]('x@evil', true));
    expect(isBotError(err, 'unsafe_dial_value')).toBe(true);
    expect(h.sim.received.some((a) => a.some(([k, v]) => k === 'Action' && v === 'Originate'))).toBe(false);
    expect(h.conn.state().rooms.get('x@evil')?.[kind]).toBeUndefined();
  });

  it('refuses an invite into it', async () => {
    h = await startHarness('confbridge', { sim: { dialplan: { entries: [{ context: 'confs', exten: '667', room: 'a,b' }] } } });
    h.sim.join('a,b', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, 'a,b').length === 1);
    expect(isBotError(await rejection(h.conn.invite('a,b', '1999')), 'unsafe_dial_value')).toBe(true);
  });
});
