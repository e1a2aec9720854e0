import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_DESCRIPTION, parseCommand, SLASH_COMMAND, SUBCOMMAND_NAMES, USAGE_HINT, usageOf, type Command,
} from '../../src/core/commands.ts';
import { BadCommandError } from '../../src/core/errors.ts';

function ok(text: string): Command {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${r.error.userMessage}`);
  return r.command;
}

function refused(text: string): BadCommandError {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused, got ${JSON.stringify(r.command)}`);
  return r.error;
}

describe('grammar: accepted commands', () => {
  const table: readonly (readonly [string, Command])[] = [
    ['help', { name: 'help', topic: undefined }],
    ['', { name: 'help', topic: undefined }],
    ['help mute', { name: 'help', topic: 'mute' }],
    ['HELP Kick', { name: 'help', topic: 'kick' }],
    ['whoami', { name: 'whoami' }],
    ['list', { name: 'list' }],
    ['show 200', { name: 'show', room: '200' }],
    ['watch 200', { name: 'watch', room: '200' }],
    ['unwatch 200', { name: 'unwatch', room: '200' }],
    ['mute 200 3', { name: 'mute', room: '200', who: { kind: 'one', text: '3' }, confirmed: false }],
    ['mute 200 all', { name: 'mute', room: '200', who: { kind: 'all' }, confirmed: false }],
    ['mute 200 all confirm', { name: 'mute', room: '200', who: { kind: 'all' }, confirmed: true }],
    ['unmute 200 ALL', { name: 'unmute', room: '200', who: { kind: 'all' }, confirmed: false }],
    ['kick 200 PJSIP/alice-00000001', { name: 'kick', room: '200', who: { kind: 'one', text: 'PJSIP/alice-00000001' }, confirmed: false }],
    ['kick 200 ALL Confirm', { name: 'kick', room: '200', who: { kind: 'all' }, confirmed: true }],
    ['lock 200', { name: 'lock', room: '200' }],
    ['unlock 200', { name: 'unlock', room: '200' }],
    ['record start 200', { name: 'record', room: '200', on: true }],
    ['record stop 200', { name: 'record', room: '200', on: false }],
    ['muzak on 200', { name: 'muzak', room: '200', on: true }],
    ['muzak off 200', { name: 'muzak', room: '200', on: false }],
    ['stream on 200', { name: 'stream', room: '200', on: true }],
    ['topic 200 3', { name: 'topic', room: '200', who: '3', text: undefined }],
    ['topic 200 3 "bob from cincinnati"', { name: 'topic', room: '200', who: '3', text: 'bob from cincinnati' }],
    ['topic 200 3 bob from cincinnati', { name: 'topic', room: '200', who: '3', text: 'bob from cincinnati' }],
    ['transfer 200 3 600', { name: 'transfer', room: '200', who: '3', target: { exten: '600', context: undefined }, confirmed: false }],
    ['transfer 200 3 600@sales', { name: 'transfer', room: '200', who: '3', target: { exten: '600', context: 'sales' }, confirmed: false }],
    ['transfer 200 3 600@sales Confirm', { name: 'transfer', room: '200', who: '3', target: { exten: '600', context: 'sales' }, confirmed: true }],
    ['invite 200 +15551234', { name: 'invite', room: '200', number: '+15551234' }],
    ['queue 200', { name: 'queue', room: '200' }],
    ['bringin 200 1', { name: 'bringin', room: '200', who: '1' }],
    ['listen 200 3', { name: 'listen', target: { kind: 'participant', room: '200', who: '3' } }],
    ['listen call 0x7fdcfc00b2e0', { name: 'listen', target: { kind: 'call', callref: '0x7fdcfc00b2e0', sensor: undefined } }],
    ['listen call 140586 sensor-2', { name: 'listen', target: { kind: 'call', callref: '140586', sensor: 'sensor-2' } }],
    ['calls', { name: 'calls', filter: undefined }],
    ['calls 555', { name: 'calls', filter: '555' }],
    ['quality 200', { name: 'quality', room: '200', who: undefined }],
    ['quality 200 Tim', { name: 'quality', room: '200', who: 'Tim' }],
    ['alerts on abnormal', { name: 'alerts', op: 'on', rule: 'abnormal' }],
    ['alerts off abnormal_hangup', { name: 'alerts', op: 'off', rule: 'abnormal_hangup', hours: undefined }],
    ['alerts off vip 4h', { name: 'alerts', op: 'off', rule: 'vip', hours: 4 }],
    ['alerts list', { name: 'alerts', op: 'list' }],
    ['alerts add abn when=hangup causes=abnormal,busy', { name: 'alerts', op: 'add', rule: 'abn', settings: [['when', 'hangup'], ['causes', 'abnormal,busy']] }],
    ['audit 200', { name: 'audit', room: '200' }],
    ['config', { name: 'config' }],
    ['CONFIG', { name: 'config' }],
  ];
  it.each(table)('parses %j', (text, expected) => {
    expect(ok(text)).toEqual(expected);
  });

  it('covers every subcommand in the table above', () => {
    const named = new Set(table.map(([, c]) => c.name));
    expect([...SUBCOMMAND_NAMES].filter((n) => !named.has(n))).toEqual([]);
  });

  it('accepts pbx/room wherever a room goes', () => {
    expect(ok('mute eu-1/200 3')).toEqual({ name: 'mute', room: 'eu-1/200', who: { kind: 'one', text: '3' }, confirmed: false });
    expect(ok('show eu-1/sales.weekly')).toEqual({ name: 'show', room: 'eu-1/sales.weekly' });
  });

  it('accepts the slash command in front and surrounding spaces', () => {
    expect(ok('/meetme   kick 200   3 ')).toEqual({ name: 'kick', room: '200', who: { kind: 'one', text: '3' }, confirmed: false });
  });

  it('groups words in single, double and typographic quotes, with backslash escapes', () => {
    expect(ok("topic 200 3 'single quoted'")).toMatchObject({ text: 'single quoted' });
    expect(ok('topic 200 3 \u201csmart quotes\u201d')).toMatchObject({ text: 'smart quotes' });
    expect(ok('topic 200 3 "say \\"hi\\""')).toMatchObject({ text: 'say "hi"' });
    expect(ok('mute 200 "Bob Smith"')).toMatchObject({ who: { kind: 'one', text: 'Bob Smith' } });
  });
});

describe('grammar: refused input', () => {
  const table: readonly (readonly [string, RegExp])[] = [
    ['mtue 200 3', /Did you mean `mute`\?/],
    ['lsit', /Did you mean `list`\?/],
    ['unmu 200 3', /Did you mean `unmute`\?/],
    ['frobnicate', /Unknown command `frobnicate`. Try `help`/],
    ['help mtue', /Did you mean `mute`\?/],
    ['mute', /Missing arguments. Usage: `mute <room> <who\|all> \[confirm\]`/],
    ['mute 200', /Missing arguments/],
    ['mute 200 3 4', /Too many arguments/],
    ['mute 200 all now', /^Too many arguments: only `all` may be followed by the word `confirm`\. Usage: `mute /],
    ['kick 200 3 confirm', /^Too many arguments: only `all` may be followed by the word `confirm`\. Usage: `kick /],
    ['kick 200 all confirm please', /^Too many arguments \(quote text with spaces\)\. Usage: `kick /],
    ['unmute 200 all confirm', /^Too many arguments \(quote text with spaces\)\. Usage: `unmute /],
    ['whoami now', /Too many arguments/],
    ['config pbx1', /^Too many arguments \(quote text with spaces\)\. Usage: `config`/],
    ['cofnig', /Did you mean `config`\?/],
    ['help confg', /Did you mean `config`\?/],
    ['show 2!00', /a room is letters, digits/i],
    ['show ' + 'r'.repeat(65), /^A room name is at most 64 characters\. Usage/],
    ['show ' + 'p'.repeat(33) + '/200', /^A PBX id is at most 32 characters\. Usage/],
    ['mute 200 ' + 'x'.repeat(65), /at most 64/],
    ['record go 200', /Say start or stop/],
    ['muzak maybe 200', /Say on or off/],
    ['topic 200 all hello', /one participant, not `all`/],
    ['transfer 200 3 "6 00"', /extension/],
    ['transfer 200 3 600@bad/context', /extension/],
    ['transfer 200 3 600 now', /Only the word `confirm` may follow the target. Usage: `transfer /],
    ['listen 200 3 extra', /^Too many arguments \(quote text with spaces\). Usage: `listen <room> <who> \| listen call/],
    ['invite 200 five', /digits/],
    ['listen call nothex', /Missing arguments|room|call reference/],
    ['listen call 0xZZ', /call reference/],
    ['alerts maybe', /Say list, add, on, off or remove/],
    ['alerts on Bad-Rule', /Name the rule/],
    ['calls ' + 'y'.repeat(65), /at most 64/],
    ['topic 200 3 "unclosed', /quote is not closed/],
    ['mute 200 3\n', /line break/],
    ['mute 200\r3', /carriage return/],
    ['mute\t200 3', /tab/],
    ['mute 200 \u0000', /control character \(U\+0000\)/],
    ['mute 200 \u2028', /U\+2028/],
    ['mute 200 Hei\u202edi', /invisible character \(U\+202E\)/],
    ['mute 200 Hei\u2066di\u2069', /invisible character \(U\+2066\)/],
    ['mute 200 Hei\u200bdi', /invisible character \(U\+200B\)/],
    ['mute 200 Hei\u200ddi', /invisible character \(U\+200D\)/],
    ['\ufeffmute 200 Heidi', /invisible character \(U\+FEFF\)/],
    ['mute 200 Heidi\u{e0041}', /invisible character \(U\+E0041\)/],
    ['x'.repeat(501), /too long/],
    ['help ' + 'a '.repeat(30), /Too many words/],
  ];
  it.each(table)('refuses %j', (text, message) => {
    const err = refused(text);
    expect(err).toBeInstanceOf(BadCommandError);
    expect(err.code).toBe('bad_command');
    expect(err.userMessage).toMatch(message);
  });

  it('never shows zod\'s own wording: each schema failure is plain words and the usage line', () => {
    const bad = [
      'listen 200 3 extra', 'listen 200', 'listen call', 'listen call 0x1 s1 more', 'transfer 200 3', 'transfer 200 3 600 confirm more',
      'alerts', 'alerts on a b', 'calls a b', 'mute 200', 'record start', 'topic 200', 'bringin 200', 'invite 200',
      'mute 200 3 4', 'listen call 0xZZ sensor!', 'alerts on Bad', 'show 2!00', 'muzak on',
    ];
    for (const text of bad) {
      const err = refused(text);
      expect(err.userMessage, text).toMatch(/Usage: `[a-z]+ /);
      expect(err.userMessage, text).not.toMatch(/expected|received|array|Invalid input|Too big|Too small|items/);
    }
  });

  it('names the usage of the subcommand whose arguments were wrong', () => {
    expect(refused('kick 200').usage).toBe(usageOf('kick'));
    expect(refused('mtue 200 3').suggestion).toBe('mute');
  });
});

describe('exports for the Slack manifest', () => {
  it('names the slash command, a short usage hint and a description', () => {
    expect(SLASH_COMMAND).toBe('/meetme');
    expect(USAGE_HINT.length).toBeLessThan(100);
    expect(COMMAND_DESCRIPTION.length).toBeGreaterThan(0);
    expect(COMMAND_DESCRIPTION.length).toBeLessThanOrEqual(100);
    for (const word of USAGE_HINT.split('|').map((s) => s.trim().split(' ')[0] as string)) {
      expect(SUBCOMMAND_NAMES).toContain(word);
    }
  });
});

describe('grammar fuzz', () => {
  const alphabet = fc.constantFrom(
    'a', 'Z', '0', '9', ' ', ' ', '"', "'", '\\', '/', '@', '\u201c', '\u201d', '\r', '\n', '\t', '\u0000', '\u007f',
    '\u0085', '\u2028', '\u202e', '\u200b', '\ufeff', 'é', '漢', '😀', '|', '%', '*',
  );
  const words = fc.constantFrom(...SUBCOMMAND_NAMES, 'all', '200', 'call', '0x7f', 'on', 'off', 'start', '"', 'pbx/200');

  it('never throws and always answers with a command or a bad_command error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join('')),
          fc.array(fc.oneof(words, fc.string({ maxLength: 8 })), { maxLength: 8 }).map((ws) => ws.join(' ')),
        ),
        (text) => {
          const r = parseCommand(text);
          if (r.ok) {
            expect(SUBCOMMAND_NAMES).toContain(r.command.name);
            expect(JSON.stringify(r.command)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u);
          } else {
            expect(r.error).toBeInstanceOf(BadCommandError);
            expect(r.error.userMessage.length).toBeGreaterThan(0);
            expect(r.error.userMessage.length).toBeLessThan(300);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
