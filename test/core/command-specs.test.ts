import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { needsAllRooms, requiredRoleForCommand } from '../../src/core/command-policy.ts';
import {
  commandTable, commandTextFromOptions, COMMAND_DESCRIPTION, parseCommand, SLASH_COMMAND, SUBCOMMAND_NAMES, USAGE_HINT,
} from '../../src/core/commands.ts';
import { discordCommandJson, DISCORD_OPTION_TYPE } from '../../src/core/commands/discord.ts';
import { COMMAND_SPECS, specFor } from '../../src/core/commands/index.ts';
import { FACTS, ok, specTableMarkdown } from './spec-table.ts';


describe('command specs', () => {
  it('has one spec per subcommand, each usage starting with its name', () => {
    expect(new Set(COMMAND_SPECS.map((s) => s.name)).size).toBe(COMMAND_SPECS.length);
    expect(SUBCOMMAND_NAMES).toEqual(COMMAND_SPECS.map((s) => s.name));
    for (const spec of COMMAND_SPECS) expect(spec.usage.split(' ')[0]).toBe(spec.name);
    expect(commandTable().map(([usage]) => usage)).toEqual(COMMAND_SPECS.map((s) => s.usage));
  });

  it.each(FACTS)('%s: needs %s, answers %s', (typed, role, visibility, everywhere, target) => {
    const command = ok(typed);
    const spec = specFor(command);
    expect(requiredRoleForCommand(command)).toBe(role);
    expect(spec.visibility(command)).toBe(visibility);
    expect(needsAllRooms(command)).toBe(everywhere);
    expect(spec.auditTarget(command)).toBe(target);
  });

  it('covers every command in the facts table', () => {
    expect(new Set(FACTS.map(([typed]) => ok(typed).name))).toEqual(new Set(SUBCOMMAND_NAMES));
  });

  it('lets exactly watch, unwatch, queue, bringin and audit name a room that is not active', () => {
    expect(COMMAND_SPECS.filter((s) => s.roomMayBeInactive).map((s) => s.name).sort()).toEqual(['audit', 'bringin', 'queue', 'unwatch', 'watch']);
  });

  it('states the least role of each command as its handler is authorized', () => {
    for (const [typed, role] of FACTS) {
      const spec = specFor(ok(typed));
      if (spec.name !== 'topic') expect(spec.leastRole, typed).toBe(role);
    }
    expect(specFor(ok('topic 200 3')).leastRole).toBe('viewer');
  });
});

describe('manifest.yml agrees with the specs', () => {
  const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as {
    features: { slash_commands: { command: string; description: string; usage_hint: string }[] };
  };

  it('declares the slash command with the description and usage hint the core uses', () => {
    expect(manifest.features.slash_commands).toHaveLength(1);
    expect(manifest.features.slash_commands[0]).toMatchObject({ command: SLASH_COMMAND, description: COMMAND_DESCRIPTION, usage_hint: USAGE_HINT });
  });

  it('hints only at subcommands that have a spec, with their usage', () => {
    for (const part of USAGE_HINT.split('|').map((p) => p.trim())) {
      const name = part.split(/\s+/)[0] ?? '';
      expect(SUBCOMMAND_NAMES).toContain(name);
      const words = part.split(/\s+/).slice(1);
      const usage = COMMAND_SPECS.find((s) => s.name === name)?.usage ?? '';
      for (const word of words) expect(usage).toContain(word.replace(/>$/, ''));
    }
  });
});

describe('docs/architecture.md', () => {
  it('shows the command-spec table as the specs have it', () => {
    const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    expect(doc).toContain(specTableMarkdown());
  });
});

describe('Discord application command from the specs', () => {
  const json = discordCommandJson(COMMAND_SPECS);

  it('is /meetme with one subcommand per spec, within Discord limits', () => {
    expect(json.name).toBe('meetme');
    expect(json.options.map((o) => o.name)).toEqual([...SUBCOMMAND_NAMES]);
    expect(json.options.length).toBeLessThanOrEqual(25);
    for (const sub of json.options) {
      expect(sub.type).toBe(DISCORD_OPTION_TYPE.subcommand);
      expect(sub.description.length).toBeGreaterThan(0);
      expect(sub.description.length).toBeLessThanOrEqual(100);
      const options = sub.options ?? [];
      expect(options.length).toBeLessThanOrEqual(25);
      const firstOptional = options.findIndex((o) => o.required !== true);
      if (firstOptional >= 0) expect(options.slice(firstOptional).every((o) => o.required !== true)).toBe(true);
      for (const o of options) {
        expect(o.name).toMatch(/^[-_a-z0-9]{1,32}$/);
        expect(o.description.length).toBeLessThanOrEqual(100);
        expect(o.autocomplete === true && o.choices !== undefined).toBe(false);
      }
    }
  });

  const filled: readonly (readonly [name: string, values: Record<string, string | number | boolean>, typed: string])[] = [
    ['help', { command: 'mute' }, 'help mute'],
    ['whoami', {}, 'whoami'],
    ['list', {}, 'list'],
    ['show', { room: '200' }, 'show 200'],
    ['watch', { room: 'pbx1/200' }, 'watch pbx1/200'],
    ['unwatch', { room: '200' }, 'unwatch 200'],
    ['mute', { room: '200', who: 'all', confirm: true }, 'mute 200 all confirm'],
    ['unmute', { room: '200', who: '3' }, 'unmute 200 3'],
    ['kick', { room: '200', who: 'Bob Smith' }, 'kick 200 "Bob Smith"'],
    ['lock', { room: '200' }, 'lock 200'],
    ['unlock', { room: '200' }, 'unlock 200'],
    ['record', { switch: 'start', room: '200' }, 'record start 200'],
    ['muzak', { switch: 'on', room: '200' }, 'muzak on 200'],
    ['stream', { switch: 'off', room: '200' }, 'stream off 200'],
    ['topic', { room: '200', who: '3', text: 'say "hi" \\ there' }, 'topic 200 3 "say \\"hi\\" \\\\ there"'],
    ['transfer', { room: '200', who: '3', target: '600@default' }, 'transfer 200 3 600@default'],
    ['invite', { room: '200', number: '+15551234' }, 'invite 200 +15551234'],
    ['queue', { room: '200' }, 'queue 200'],
    ['bringin', { room: '200', who: '1' }, 'bringin 200 1'],
    ['listen', { call: '0x7f00', sensor: 's1' }, 'listen call 0x7f00 s1'],
    ['calls', { filter: '555' }, 'calls 555'],
    ['alerts', { op: 'on', rule: 'long_call' }, 'alerts on long_call'],
    ['audit', { room: '200' }, 'audit 200'],
    ['config', {}, 'config'],
  ];

  it.each(filled)('%s: option values parse to the same command as typed text', (name, values, typed) => {
    expect(ok(commandTextFromOptions(name, values))).toEqual(ok(typed));
  });

  it('names every option a command reads from option values', () => {
    for (const [name, values] of filled) {
      const declared = COMMAND_SPECS.find((s) => s.name === name)?.options.map((o) => o.name) ?? [];
      for (const key of Object.keys(values)) expect(declared, `${name}.${key}`).toContain(key);
    }
  });

  it('puts option values through the same checks as typed text', () => {
    const r = parseCommand(commandTextFromOptions('kick', { room: '200', who: 'bob\u202e' }));
    expect(r.ok).toBe(false);
    expect(parseCommand(commandTextFromOptions('nope', {})).ok).toBe(false);
  });
});
