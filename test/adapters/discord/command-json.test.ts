import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { meetmeCommand } from '../../../adapters/discord/command-json.ts';
import { commandText } from '../../../adapters/discord/options.ts';
import { register, registrationFor } from '../../../adapters/discord/register.ts';
import { parseCommand, SUBCOMMAND_NAMES, usageOf } from '../../../src/core/commands.ts';
import { FakeDiscord } from '../../fake-discord/server.ts';

/** The /meetme application command is generated from the grammar and must agree with it. */

/** A value the grammar accepts for each option, as a person would pick it in Discord. */
const SAMPLE: Readonly<Record<string, string | boolean>> = {
  room: '200', who: 'Tim Smith', target: '600@default', number: '+4930123', text: 'hello there', filter: '701', rule: 'abnormal',
  command: 'mute', confirm: false, action: 'start', state: 'on', op: 'list',
};

/** Discord's 8,000-character budget: every name, description, and choice name and value, nested. */
function countedCharacters(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, item: unknown) => n + countedCharacters(item), 0);
  if (typeof node !== 'object' || node === null) return 0;
  let n = 0;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'name' || key === 'description' || key === 'value') && typeof value === 'string') n += value.length;
    else n += countedCharacters(value);
  }
  return n;
}

describe('/meetme command JSON', () => {
  const json = meetmeCommand();

  it('has one subcommand per grammar command, in grammar order', () => {
    expect(json.name).toBe('meetme');
    expect(json.options.map((o) => o.name)).toEqual([...SUBCOMMAND_NAMES]);
  });

  it('stays inside Discord\'s naming and size rules', () => {
    const names = (o: { name: string }): boolean => /^[-_\p{Ll}\p{N}]{1,32}$/u.test(o.name);
    expect(json.description.length).toBeLessThanOrEqual(100);
    expect(json.options.length).toBeLessThanOrEqual(25);
    for (const sub of json.options) {
      expect(names(sub), sub.name).toBe(true);
      expect(sub.description.length).toBeGreaterThan(0);
      expect(sub.description.length).toBeLessThanOrEqual(100);
      expect(sub.options.length).toBeLessThanOrEqual(25);
      const firstOptional = sub.options.findIndex((o) => !o.required);
      // Discord rejects a required option after an optional one.
      if (firstOptional >= 0) expect(sub.options.slice(firstOptional).every((o) => !o.required), sub.name).toBe(true);
      for (const o of sub.options) {
        expect(names(o), `${sub.name}.${o.name}`).toBe(true);
        expect(o.description.length).toBeLessThanOrEqual(100);
        expect(o.choices === undefined || (o.choices.length <= 25 && o.autocomplete !== true)).toBe(true);
      }
    }
    expect(countedCharacters(json)).toBeLessThanOrEqual(8000);
  });

  it('turns every subcommand with its required options into text the grammar accepts', () => {
    for (const sub of json.options) {
      const options = sub.options.filter((o) => o.required || sub.name === 'listen' && (o.name === 'room' || o.name === 'who'))
        .map((o) => ({ name: o.name, value: SAMPLE[o.name] }));
      const text = commandText(sub.name, options);
      const parsed = parseCommand(text);
      expect(parsed.ok, `${text} (usage ${usageOf(sub.name)})`).toBe(true);
      if (parsed.ok) expect(parsed.command.name).toBe(sub.name);
    }
  });

  it('fills every optional option in a way the grammar accepts', () => {
    for (const sub of json.options) {
      if (sub.name === 'listen') continue;
      const options = sub.options.map((o) => ({ name: o.name, value: o.name === 'who' && usageOf(sub.name).includes('<who|all>') ? 'all' : SAMPLE[o.name] }));
      const text = commandText(sub.name, options.map((o) => (o.name === 'confirm' ? { ...o, value: true } : o)));
      expect(parseCommand(text).ok, text).toBe(true);
    }
  });

  it('maps listen call to the grammar\'s call form', () => {
    const text = commandText('listen', [{ name: 'call', value: '0x7fdcfc00b2e0' }, { name: 'sensor', value: 'demo-sensor' }]);
    expect(text).toBe('listen call 0x7fdcfc00b2e0 demo-sensor');
    expect(parseCommand(text)).toMatchObject({ ok: true, command: { name: 'listen', target: { kind: 'call' } } });
  });

  it('autocompletes room and participant options', () => {
    const mute = json.options.find((o) => o.name === 'mute');
    expect(mute?.options.filter((o) => o.autocomplete === true).map((o) => o.name)).toEqual(['room', 'who']);
  });
});

describe('registration', () => {
  it('registers in one guild when a guild is configured, else globally', () => {
    expect(registrationFor({ applicationId: '111111111111111111', guildId: '222222222222222222' }, { global: false }).route)
      .toBe('/applications/111111111111111111/guilds/222222222222222222/commands');
    expect(registrationFor({ applicationId: '111111111111111111', guildId: '222222222222222222' }, { global: true }).route)
      .toBe('/applications/111111111111111111/commands');
  });

  it('PUTs the command JSON to Discord with the bot token', async () => {
    const fake = await FakeDiscord.start();
    try {
      const done = await register({ token: 'fake-token', applicationId: fake.applicationId, guildId: '222222222222222222', apiUrl: fake.apiUrl }, { global: false });
      expect(done).toEqual({ scope: 'guild', count: 1 });
      const [put] = fake.callsTo('PUT', /commands$/);
      expect(put?.authorization).toBe('Bot fake-token');
      expect(put?.body).toEqual(JSON.parse(JSON.stringify([meetmeCommand()])));
    } finally {
      await fake.close();
    }
  });

  it('prints the JSON with --dry-run', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'adapters/discord/register.ts', '--dry-run'], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify([meetmeCommand()])));
  });
});
