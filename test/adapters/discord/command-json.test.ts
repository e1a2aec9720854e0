import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { meetmeCommand } from '../../../adapters/discord/command-json.ts';
import { register, registrationFor } from '../../../adapters/discord/register.ts';
import { commandTextFromOptions, parseCommand } from '../../../src/core/commands.ts';
import { COMMAND_SPECS } from '../../../src/core/commands/index.ts';
import type { OptionSpec } from '../../../src/core/commands/spec.ts';
import { FakeDiscord } from '../../fake-discord/server.ts';

/** The /meetme application command is generated from the command specs and must agree with them. */

/** A value the grammar accepts for each free-text option, as a person would type it in Discord. */
const SAMPLE: Readonly<Record<string, string>> = {
  room: '200', who: 'Tim Smith', target: '600@default', number: '+4930123', text: 'hello there', filter: '701', rule: 'abnormal',
  command: 'mute', call: '0x7fdcfc00b2e0', sensor: 'demo-sensor', settings: 'when=hangup causes=abnormal',
};

/** Where the first choice does not take every option: the choice that does. */
const FULL_CHOICE: Readonly<Record<string, Record<string, string>>> = { alerts: { op: 'add' } };

function sample(option: OptionSpec): string | boolean {
  if (option.type === 'boolean') return true;
  const value = option.choices?.[0] ?? SAMPLE[option.name];
  if (value === undefined) throw new Error(`no sample value for option ${option.name}`);
  return value;
}

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

  it('has one subcommand per command spec, in spec order, each with the spec\'s options', () => {
    expect(json.name).toBe('meetme');
    expect(json.options.map((o) => o.name)).toEqual(COMMAND_SPECS.map((s) => s.name));
    for (const spec of COMMAND_SPECS) {
      const sub = json.options.find((o) => o.name === spec.name);
      expect(new Set(sub?.options?.map((o) => o.name)), spec.name).toEqual(new Set(spec.options.map((o) => o.name)));
    }
  });

  it('stays inside Discord\'s naming and size rules', () => {
    const names = (o: { name: string }): boolean => /^[-_\p{Ll}\p{N}]{1,32}$/u.test(o.name);
    expect(json.description.length).toBeLessThanOrEqual(100);
    expect(json.options.length).toBeLessThanOrEqual(25);
    for (const sub of json.options) {
      const options = sub.options ?? [];
      expect(names(sub), sub.name).toBe(true);
      expect(sub.description.length).toBeGreaterThan(0);
      expect(sub.description.length).toBeLessThanOrEqual(100);
      expect(options.length).toBeLessThanOrEqual(25);
      const firstOptional = options.findIndex((o) => o.required !== true);
      // Discord rejects a required option after an optional one.
      if (firstOptional >= 0) expect(options.slice(firstOptional).every((o) => o.required !== true), sub.name).toBe(true);
      for (const o of options) {
        expect(names(o), `${sub.name}.${o.name}`).toBe(true);
        expect(o.description.length).toBeGreaterThan(0);
        expect(o.description.length).toBeLessThanOrEqual(100);
        expect(o.choices === undefined || (o.choices.length <= 25 && o.autocomplete !== true)).toBe(true);
      }
    }
    expect(countedCharacters(json)).toBeLessThanOrEqual(8000);
  });

  it('is registered for guilds only', () => {
    expect(json.contexts).toEqual([0]);
  });

  it('turns every subcommand with its required options into text the grammar accepts', () => {
    for (const spec of COMMAND_SPECS) {
      const required = spec.options.filter((o) => o.required || (spec.name === 'listen' && (o.name === 'room' || o.name === 'who')));
      const text = commandTextFromOptions(spec.name, Object.fromEntries(required.map((o) => [o.name, sample(o)])));
      const parsed = parseCommand(text);
      expect(parsed.ok, `${text} (usage ${spec.usage})`).toBe(true);
      if (parsed.ok) expect(parsed.command.name).toBe(spec.name);
    }
  });

  it('fills every optional option in a way the grammar accepts', () => {
    for (const spec of COMMAND_SPECS) {
      if (spec.name === 'listen') continue;
      const values = Object.fromEntries(spec.options.map((o) => [o.name, FULL_CHOICE[spec.name]?.[o.name] ?? (o.name === 'who' && spec.usage.includes('<who|all>') ? 'all' : sample(o))]));
      const text = commandTextFromOptions(spec.name, values);
      expect(parseCommand(text).ok, text).toBe(true);
    }
  });

  it('reads option values as typed words, quoting only those with spaces or quotes', () => {
    expect(commandTextFromOptions('mute', { room: '200', who: '3' })).toBe('mute 200 3');
    expect(commandTextFromOptions('topic', { room: '200', who: 'Tim Smith', text: 'say "hi"' })).toBe('topic 200 "Tim Smith" "say \\"hi\\""');
  });

  it('maps listen call to the grammar\'s call form', () => {
    const text = commandTextFromOptions('listen', { call: '0x7fdcfc00b2e0', sensor: 'demo-sensor' });
    expect(parseCommand(text)).toMatchObject({ ok: true, command: { name: 'listen', target: { kind: 'call' } } });
  });

  it('autocompletes room and participant options', () => {
    const mute = json.options.find((o) => o.name === 'mute');
    expect(mute?.options?.filter((o) => o.autocomplete === true).map((o) => o.name)).toEqual(['room', 'who']);
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
