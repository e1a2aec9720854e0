import { z } from 'zod';
import type { TransferTarget, Who } from '../conference/backend.ts';
import { BadCommandError } from './errors.ts';
import { closestMatch } from './suggest.ts';
import { tokenize } from './tokenize.ts';

/**
 * The `/meetme` grammar: text → typed Command. Every user-typed value passes a zod schema; the
 * parser is total (it answers bad input with a BadCommandError result, it never throws).
 */

export const SLASH_COMMAND = '/meetme';
export const USAGE_HINT = 'list | show <room> | mute <room> <who> | kick <room> <who> | help';
export const COMMAND_DESCRIPTION = 'See and control Asterisk conference rooms: who is in, mute, kick, lock, listen';

export const SUBCOMMAND_NAMES = [
  'help', 'whoami', 'list', 'show', 'watch', 'unwatch', 'mute', 'unmute', 'kick', 'lock', 'unlock',
  'record', 'muzak', 'stream', 'topic', 'transfer', 'invite', 'queue', 'bringin', 'listen', 'calls',
  'alerts', 'audit', 'config',
] as const;

export type SubcommandName = (typeof SUBCOMMAND_NAMES)[number];

export const MAX_ROOM_LENGTH = 64;
export const MAX_PBX_LENGTH = 32;
export const MAX_WHO_LENGTH = 64;
export const MAX_TOPIC_LENGTH = 200;
export const MAX_FILTER_LENGTH = 64;

export type ListenTarget =
  | { readonly kind: 'participant'; readonly room: string; readonly who: string }
  | { readonly kind: 'call'; readonly callref: string; readonly sensor: string | undefined };

/** `room` is as typed: a room name, or `pbx/room`; the dispatcher resolves it. */
export type Command =
  | { readonly name: 'help'; readonly topic: SubcommandName | undefined }
  | { readonly name: 'whoami' }
  | { readonly name: 'list' }
  | { readonly name: 'show' | 'watch' | 'unwatch' | 'lock' | 'unlock' | 'queue' | 'audit'; readonly room: string }
  | {
      readonly name: 'mute' | 'unmute' | 'kick'; readonly room: string; readonly who: Who;
      /**
       * `mute|kick <room> all confirm`: act on everyone without asking (the answer when no confirm
       * button fits). Always false for one participant and for `unmute`, which never asks.
       */
      readonly confirmed: boolean;
    }
  | { readonly name: 'record' | 'muzak' | 'stream'; readonly room: string; readonly on: boolean }
  | { readonly name: 'topic'; readonly room: string; readonly who: string; readonly text: string | undefined }
  | {
      readonly name: 'transfer'; readonly room: string; readonly who: string; readonly target: TransferTarget;
      /** Typed with a trailing `confirm`: act without asking (the answer when no confirm button fits). */
      readonly confirmed: boolean;
    }
  | { readonly name: 'invite'; readonly room: string; readonly number: string }
  | { readonly name: 'bringin'; readonly room: string; readonly who: string }
  | { readonly name: 'listen'; readonly target: ListenTarget }
  | { readonly name: 'calls'; readonly filter: string | undefined }
  | { readonly name: 'alerts'; readonly op: 'on' | 'off' | 'list'; readonly rule: string | undefined }
  | { readonly name: 'config' };

export type ParseResult =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: BadCommandError };

const room = z
  .string()
  .max(MAX_PBX_LENGTH + 1 + MAX_ROOM_LENGTH, `a room name is at most ${MAX_ROOM_LENGTH} characters`)
  // The lengths are checked apart from the character rule so that a name too long is told so,
  // rather than told which characters a room may hold.
  .refine((s) => s.slice(s.indexOf('/') + 1).length <= MAX_ROOM_LENGTH, `a room name is at most ${MAX_ROOM_LENGTH} characters`)
  .refine((s) => s.indexOf('/') <= MAX_PBX_LENGTH, `a PBX id is at most ${MAX_PBX_LENGTH} characters`)
  .regex(
    new RegExp(`^(?:[A-Za-z0-9_.-]{1,${MAX_PBX_LENGTH}}/)?[A-Za-z0-9_.@+#*-]{1,${MAX_ROOM_LENGTH}}$`),
    'a room is letters, digits and . _ - @ + # * (write pbx/room to pick a PBX)',
  );
const one = z
  .string()
  .min(1, 'say who: a user number, channel, caller number or name')
  .max(MAX_WHO_LENGTH, `who is at most ${MAX_WHO_LENGTH} characters`)
  .refine((s) => s.toLowerCase() !== 'all', 'this command takes one participant, not `all`');
const who = z
  .string()
  .min(1, 'say who: a user number, channel, caller number or name, or `all`')
  .max(MAX_WHO_LENGTH, `who is at most ${MAX_WHO_LENGTH} characters`)
  .transform((s): Who => (s.toLowerCase() === 'all' ? { kind: 'all' } : { kind: 'one', text: s }));
const onOff = z.enum(['on', 'off'], 'say on or off').transform((s) => s === 'on');
const startStop = z.enum(['start', 'stop'], 'say start or stop').transform((s) => s === 'start');
const number = z.string().regex(/^\+?[0-9*#]{1,32}$/, 'a number is up to 32 digits, with an optional leading +');
const transferTarget = z
  .string()
  .regex(
    /^[0-9A-Za-z*#+_-]{1,40}(?:@[A-Za-z0-9_.-]{1,40})?$/,
    'the target is an extension, optionally @context (e.g. 600@default)',
  )
  .transform((s): TransferTarget => {
    const at = s.indexOf('@');
    return at < 0 ? { exten: s, context: undefined } : { exten: s.slice(0, at), context: s.slice(at + 1) };
  });
const confirmWord = z.string().regex(/^confirm$/i, 'only the word `confirm` may follow the target');
/** The word after `mute|kick <room> <who>`: only `confirm`, and only after `all` (checked on the command). */
const ALL_CONFIRM_ONLY = 'too many arguments: only `all` may be followed by the word `confirm`';
const allConfirmWord = z.string().regex(/^confirm$/i, ALL_CONFIRM_ONLY);
const callref = z.string().regex(/^(?:0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/, 'a call reference looks like 0x7fdcfc00b2e0 (see `calls`)');
const sensor = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'a sensor id is letters, digits and . _ -');
const ruleName = z.string().regex(/^(?:\*|[a-z][a-z0-9_]{0,39})$/, 'a rule name is lowercase letters, digits and _ (or *)');
const freeText = (max: number, what: string) => z.string().max(max, `${what} is at most ${max} characters`);

interface Spec {
  readonly name: SubcommandName;
  readonly usage: string;
  readonly summary: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Validates the argument words and builds the command. */
  readonly schema: z.ZodType<Command, readonly string[]>;
}

/** `mute|kick <room> <who|all> [confirm]`: the trailing `confirm` skips the question `all` asks. */
const everyoneAsks = <N extends 'mute' | 'kick'>(name: N) =>
  z.tuple([room, who], allConfirmWord)
    .transform(([r, w, c]) => ({ name, room: r, who: w, confirmed: c !== undefined }))
    .refine((c) => !c.confirmed || c.who.kind === 'all', ALL_CONFIRM_ONLY);

const roomOnly = <N extends 'show' | 'watch' | 'unwatch' | 'lock' | 'unlock' | 'queue' | 'audit'>(name: N) =>
  z.tuple([room]).transform(([r]) => ({ name, room: r }));

const SPECS: readonly Spec[] = [
  {
    name: 'help', usage: 'help [command]', summary: 'this help, or one command in detail', minArgs: 0, maxArgs: 1,
    schema: z.array(z.string()).transform(([topic]) => ({ name: 'help' as const, topic: topic as SubcommandName | undefined })),
  },
  { name: 'whoami', usage: 'whoami', summary: 'who the bot thinks you are, and your role', minArgs: 0, maxArgs: 0, schema: z.tuple([]).transform(() => ({ name: 'whoami' as const })) },
  { name: 'list', usage: 'list', summary: 'active rooms and how many are in each', minArgs: 0, maxArgs: 0, schema: z.tuple([]).transform(() => ({ name: 'list' as const })) },
  { name: 'show', usage: 'show <room>', summary: 'post a live status message for a room here', minArgs: 1, maxArgs: 1, schema: roomOnly('show') },
  { name: 'watch', usage: 'watch <room>', summary: 'same as show', minArgs: 1, maxArgs: 1, schema: roomOnly('watch') },
  { name: 'unwatch', usage: 'unwatch <room>', summary: 'stop updating the room\'s status message here', minArgs: 1, maxArgs: 1, schema: roomOnly('unwatch') },
  {
    name: 'mute', usage: 'mute <room> <who|all> [confirm]', summary: 'mute one participant (or everyone, after a confirmation, unless `all` is followed by `confirm`)', minArgs: 2, maxArgs: 3,
    schema: everyoneAsks('mute'),
  },
  {
    name: 'unmute', usage: 'unmute <room> <who|all>', summary: 'unmute one participant or everyone', minArgs: 2, maxArgs: 2,
    schema: z.tuple([room, who]).transform(([r, w]) => ({ name: 'unmute' as const, room: r, who: w, confirmed: false })),
  },
  {
    name: 'kick', usage: 'kick <room> <who|all> [confirm]', summary: 'remove one participant (or everyone, after a confirmation, unless `all` is followed by `confirm`)', minArgs: 2, maxArgs: 3,
    schema: everyoneAsks('kick'),
  },
  { name: 'lock', usage: 'lock <room>', summary: 'let nobody else join', minArgs: 1, maxArgs: 1, schema: roomOnly('lock') },
  { name: 'unlock', usage: 'unlock <room>', summary: 'let people join again', minArgs: 1, maxArgs: 1, schema: roomOnly('unlock') },
  {
    name: 'record', usage: 'record start|stop <room>', summary: 'start or stop recording the room', minArgs: 2, maxArgs: 2,
    schema: z.tuple([startStop, room]).transform(([on, r]) => ({ name: 'record' as const, room: r, on })),
  },
  {
    name: 'muzak', usage: 'muzak on|off <room>', summary: 'play music into the room', minArgs: 2, maxArgs: 2,
    schema: z.tuple([onOff, room]).transform(([on, r]) => ({ name: 'muzak' as const, room: r, on })),
  },
  {
    name: 'stream', usage: 'stream on|off <room>', summary: 'stream the room to the configured target', minArgs: 2, maxArgs: 2,
    schema: z.tuple([onOff, room]).transform(([on, r]) => ({ name: 'stream' as const, room: r, on })),
  },
  {
    name: 'topic', usage: 'topic <room> <who> [text]', summary: 'show or set a participant\'s topic (quote text with spaces)', minArgs: 2, maxArgs: 2 + 20,
    schema: z.tuple([room, one], z.string()).transform(([r, w, ...rest]) => ({
      name: 'topic' as const, room: r, who: w, text: rest.length === 0 ? undefined : rest.join(' '),
    })).refine((c) => c.text === undefined || c.text.length <= MAX_TOPIC_LENGTH, `a topic is at most ${MAX_TOPIC_LENGTH} characters`),
  },
  {
    name: 'transfer', usage: 'transfer <room> <who> <exten[@context]> [confirm]', summary: 'send a participant to an extension (asks first, unless you end with `confirm`)', minArgs: 3, maxArgs: 4,
    schema: z.tuple([room, one, transferTarget], confirmWord).transform(([r, w, t, c]) => ({
      name: 'transfer' as const, room: r, who: w, target: t, confirmed: c !== undefined,
    })),
  },
  {
    name: 'invite', usage: 'invite <room> <number>', summary: 'dial a number into the room', minArgs: 2, maxArgs: 2,
    schema: z.tuple([room, number]).transform(([r, n]) => ({ name: 'invite' as const, room: r, number: n })),
  },
  { name: 'queue', usage: 'queue <room>', summary: 'callers waiting in the room\'s lobby', minArgs: 1, maxArgs: 1, schema: roomOnly('queue') },
  {
    name: 'bringin', usage: 'bringin <room> <who>', summary: 'move a waiting caller (or queue position) into the room', minArgs: 2, maxArgs: 2,
    schema: z.tuple([room, one]).transform(([r, w]) => ({ name: 'bringin' as const, room: r, who: w })),
  },
  {
    name: 'listen', usage: 'listen <room> <who> | listen call <callref> [sensor]', summary: 'a private link to hear a call live', minArgs: 2, maxArgs: 3,
    schema: z.tuple([room, one]).transform(([r, w]) => ({ name: 'listen' as const, target: { kind: 'participant' as const, room: r, who: w } })),
  },
  {
    name: 'calls', usage: 'calls [filter]', summary: 'calls the sensors see, optionally filtered by number or name', minArgs: 0, maxArgs: 1,
    schema: z.array(freeText(MAX_FILTER_LENGTH, 'a filter')).transform(([f]) => ({ name: 'calls' as const, filter: f })),
  },
  {
    name: 'alerts', usage: 'alerts on|off|list [rule]', summary: 'hangup alerts in this conversation', minArgs: 1, maxArgs: 2,
    schema: z.tuple([z.enum(['on', 'off', 'list'], 'say on, off or list')], ruleName).transform(([op, rule]) => ({ name: 'alerts' as const, op, rule })),
  },
  { name: 'audit', usage: 'audit <room>', summary: 'the last 20 audit entries for a room (admins)', minArgs: 1, maxArgs: 1, schema: roomOnly('audit') },
  {
    name: 'config', usage: 'config', summary: 'the running configuration, without secrets (admins of every room)', minArgs: 0, maxArgs: 0,
    schema: z.tuple([]).transform(() => ({ name: 'config' as const })),
  },
];

/** `listen call …` is told apart by its first word; a room named `call` is written `pbx/call`. */
const LISTEN_CALL: z.ZodType<Command, readonly string[]> = z
  .tuple([z.string(), callref], sensor)
  .transform(([, ref, s]) => ({ name: 'listen' as const, target: { kind: 'call' as const, callref: ref, sensor: s } }));

const SPEC_BY_NAME: ReadonlyMap<string, Spec> = new Map(SPECS.map((s) => [s.name, s]));

export function isSubcommandName(word: string): word is SubcommandName {
  return SPEC_BY_NAME.has(word);
}

/** One-line usage of a subcommand, e.g. `mute <room> <who|all>`. */
export function usageOf(name: SubcommandName): string {
  return (SPEC_BY_NAME.get(name) as Spec).usage;
}

export function summaryOf(name: SubcommandName): string {
  return (SPEC_BY_NAME.get(name) as Spec).summary;
}

/** Every subcommand's usage and summary, in help order. */
export function commandTable(): readonly (readonly [usage: string, summary: string])[] {
  return SPECS.map((s) => [s.usage, s.summary] as const);
}

type Issue = z.ZodError['issues'][number];

/**
 * One schema problem in plain words. Every field validator above words its own message, starting
 * in lower case; zod's built-in wording ("Too big: expected array to have <=2 items") starts with a
 * capital and talks about arrays and types, so it is never shown: it is replaced by a count or the
 * argument's position.
 */
function plainIssue(issue: Issue | undefined): string {
  if (issue === undefined) return 'Those arguments are not valid';
  if (issue.code === 'too_big' && issue.origin === 'array') return 'Too many arguments (quote text with spaces)';
  if (issue.code === 'too_small' && issue.origin === 'array') return 'Missing arguments';
  if (/^[a-z]/.test(issue.message)) return issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
  const index = issue.path[0];
  const position = typeof index === 'number' ? ` (word ${index + 1} after the command name)` : '';
  return issue.code === 'invalid_type' ? `An argument is missing${position}` : `An argument is not valid${position}`;
}

function argumentIssue(spec: Spec, error: z.ZodError): BadCommandError {
  const ours = (i: Issue): boolean => /^[a-z]/.test(i.message) || ((i.code === 'too_big' || i.code === 'too_small') && i.origin === 'array');
  const message = plainIssue(error.issues.find(ours) ?? error.issues[0]);
  return new BadCommandError(`${message}. Usage: \`${spec.usage}\``, { usage: spec.usage, detail: `${spec.name}: ${message}` });
}

function parseTokens(tokens: readonly string[]): ParseResult {
  const words = tokens[0]?.toLowerCase() === SLASH_COMMAND ? tokens.slice(1) : tokens;
  const [first, ...args] = words;
  if (first === undefined) return { ok: true, command: { name: 'help', topic: undefined } };
  const name = first.toLowerCase();
  const spec = SPEC_BY_NAME.get(name);
  if (spec === undefined) {
    const suggestion = closestMatch(name, SUBCOMMAND_NAMES);
    const shown = first.length > 32 ? `${first.slice(0, 32)}…` : first;
    const text = suggestion === undefined
      ? `Unknown command \`${shown}\`. Try \`help\`.`
      : `Unknown command \`${shown}\`. Did you mean \`${suggestion}\`?`;
    return { ok: false, error: new BadCommandError(text, { suggestion }) };
  }
  if (args.length < spec.minArgs || args.length > spec.maxArgs) {
    const what = args.length < spec.minArgs ? 'Missing arguments' : 'Too many arguments (quote text with spaces)';
    return { ok: false, error: new BadCommandError(`${what}. Usage: \`${spec.usage}\``, { usage: spec.usage }) };
  }
  if (spec.name === 'help' && args[0] !== undefined && !isSubcommandName(args[0].toLowerCase())) {
    const suggestion = closestMatch(args[0], SUBCOMMAND_NAMES);
    const text = suggestion === undefined ? 'No such command. Try `help`.' : `No such command. Did you mean \`${suggestion}\`?`;
    return { ok: false, error: new BadCommandError(text, { suggestion }) };
  }
  const helpArgs = spec.name === 'help' ? args.map((a) => a.toLowerCase()) : args;
  const schema = spec.name === 'listen' && args[0]?.toLowerCase() === 'call' ? LISTEN_CALL : spec.schema;
  const parsed = schema.safeParse(helpArgs);
  if (!parsed.success) return { ok: false, error: argumentIssue(spec, parsed.error) };
  return { ok: true, command: parsed.data };
}

/** Text after the slash command (a leading `/meetme` is accepted too) → Command or a usage error. */
export function parseCommand(text: string): ParseResult {
  try {
    const tokenized = tokenize(text);
    if (!tokenized.ok) return { ok: false, error: new BadCommandError(tokenized.reason) };
    return parseTokens(tokenized.tokens);
  } catch (err) {
    return { ok: false, error: new BadCommandError('That command could not be read. Try `help`.', { detail: String(err) }) };
  }
}
