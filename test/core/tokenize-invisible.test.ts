import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction, type Action } from '../../src/core/actions.ts';
import { parseCommand } from '../../src/core/commands.ts';
import { BadActionError, BadCommandError } from '../../src/core/errors.ts';

/** Invisible fillers outside Unicode category Cf: each draws nothing, so a name holding one matches nobody. */
const FILLERS: readonly (readonly [ch: string, name: string])[] = [
  ['\u3164', 'U+3164'],
  ['\u115f', 'U+115F'],
  ['\u1160', 'U+1160'],
  ['\uffa0', 'U+FFA0'],
  ['\u034f', 'U+034F'],
  ['\u2800', 'U+2800'],
  ['\u180e', 'U+180E'],
  ['\u17b4', 'U+17B4'],
  ['\ufe0f', 'U+FE0F'],
];

function refusal(ch: string, name: string): string {
  return `That command contains an invisible character (${name}): retype it without it.`;
}

describe('input guard: invisible fillers', () => {
  it.each(FILLERS)('refuses %j in a typed command with the Cf message', (ch, name) => {
    for (const text of [`mute 200 Hei${ch}di`, `${ch}mute 200 Heidi`, `mute 200${ch} 3`]) {
      const parsed = parseCommand(text);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.error).toBeInstanceOf(BadCommandError);
      expect(parsed.error.userMessage).toBe(refusal(ch, name));
    }
  });

  const transfer: Action = { kind: 'transfer', pbx: 'pbx1', room: '200', uniqueid: '1700000000.1', exten: '100', context: 'office' };

  it.each(FILLERS)('refuses %j in every field of a button id with the same message', (ch, name) => {
    const fields = encodeAction(transfer).split('|');
    for (let i = 0; i < fields.length; i++) {
      const tampered = fields.map((f, j) => (j === i ? `${f}${ch}` : f)).join('|');
      let thrown: unknown;
      try {
        decodeAction(tampered);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, `field ${i}`).toBeInstanceOf(BadActionError);
      expect((thrown as BadActionError).userMessage).toBe(refusal(ch, name));
    }
  });

  it('still accepts ordinary names, accents and emoji without selectors', () => {
    expect(parseCommand('mute 200 "Zoë Ångström"').ok).toBe(true);
    expect(parseCommand('mute 200 山田').ok).toBe(true);
    expect(parseCommand('topic 200 3 "ship it 🚀"').ok).toBe(true);
    expect(decodeAction(encodeAction(transfer))).toEqual(transfer);
  });
});
