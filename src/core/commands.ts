import type { z } from 'zod';
import { BadCommandError } from './errors.ts';
import { SLASH_COMMAND } from './command-names.ts';
import { COMMAND_SPECS, isSubcommandName, SUBCOMMAND_NAMES, specOf, type Command, type SubcommandName } from './commands/index.ts';
import type { AnyCommandSpec } from './commands/spec.ts';
import { closestMatch } from './suggest.ts';
import { tokenize } from './tokenize.ts';

/**
 * The `/meetme` grammar: text → typed Command, read from the command specs. Every user-typed value
 * passes a zod schema; the parser is total (it answers bad input with a BadCommandError result, it
 * never throws).
 */

export { COMMAND_DESCRIPTION, SLASH_COMMAND, USAGE_HINT } from './command-names.ts';
export { isSubcommandName, SUBCOMMAND_NAMES, type Command, type SubcommandName } from './commands/index.ts';
export { MAX_FILTER_LENGTH, MAX_PBX_LENGTH, MAX_ROOM_LENGTH, MAX_TOPIC_LENGTH, MAX_WHO_LENGTH } from './commands/grammar.ts';
export type { ListenTarget } from './commands/listen.ts';

export type ParseResult =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: BadCommandError };

/** One-line usage of a subcommand, e.g. `mute <room> <who|all>`. */
export function usageOf(name: SubcommandName): string {
  return (specOf(name) as AnyCommandSpec).usage;
}

export function summaryOf(name: SubcommandName): string {
  return (specOf(name) as AnyCommandSpec).summary;
}

/** Every subcommand's usage and summary, in help order. */
export function commandTable(): readonly (readonly [usage: string, summary: string])[] {
  return COMMAND_SPECS.map((s) => [s.usage, s.summary] as const);
}

type Issue = z.ZodError['issues'][number];

/**
 * One schema problem in plain words. Every field validator words its own message, starting in
 * lower case; zod's built-in wording ("Too big: expected array to have <=2 items") starts with a
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

function argumentIssue(spec: AnyCommandSpec, error: z.ZodError): BadCommandError {
  const ours = (i: Issue): boolean => /^[a-z]/.test(i.message) || ((i.code === 'too_big' || i.code === 'too_small') && i.origin === 'array');
  const message = plainIssue(error.issues.find(ours) ?? error.issues[0]);
  return new BadCommandError(`${message}. Usage: \`${spec.usage}\``, { usage: spec.usage, detail: `${spec.name}: ${message}` });
}

function parseTokens(tokens: readonly string[]): ParseResult {
  const words = tokens[0]?.toLowerCase() === SLASH_COMMAND ? tokens.slice(1) : tokens;
  const [first, ...args] = words;
  if (first === undefined) return { ok: true, command: { name: 'help', topic: undefined } };
  const name = first.toLowerCase();
  const spec = specOf(name);
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
  // `help <topic>` names a command: only the table knows them all, so the check is here.
  if (spec.name === 'help' && args[0] !== undefined && !isSubcommandName(args[0].toLowerCase())) {
    const suggestion = closestMatch(args[0], SUBCOMMAND_NAMES);
    const text = suggestion === undefined ? 'No such command. Try `help`.' : `No such command. Did you mean \`${suggestion}\`?`;
    return { ok: false, error: new BadCommandError(text, { suggestion }) };
  }
  const grammar = spec.alternative?.when(args) === true ? spec.alternative.grammar : spec.grammar;
  const parsed = grammar.safeParse(args);
  if (!parsed.success) return { ok: false, error: argumentIssue(spec, parsed.error) };
  // The grammar of the spec named `name` builds a command named `name`: a member of Command.
  return { ok: true, command: parsed.data as Command };
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

/**
 * A word as the tokenizer gives it back whole, whatever it holds: plain words stay as typed (so the
 * text reads like a typed command), others are quoted.
 */
function quoteWord(word: string): string {
  if (word !== '' && !/[\s"'\u2018\u2019\u201c\u201d\\]/u.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/**
 * The command text for typed option values (Discord's subcommand options), so they pass the same
 * tokenizer checks and grammar as typed text. Unknown names give text the parser refuses.
 */
export function commandTextFromOptions(name: string, values: Readonly<Record<string, string | number | boolean>>): string {
  const spec = specOf(name);
  if (spec === undefined) return quoteWord(name);
  const words = spec.wordsFromOptions?.(values)
    ?? spec.options.flatMap((o) => (values[o.name] === undefined || values[o.name] === false ? [] : [o.type === 'boolean' ? o.name : String(values[o.name])]));
  return [name, ...words.map(quoteWord)].join(' ');
}
