import { isSubcommandName } from '../../src/core/commands.ts';
import { subcommandOptions } from './command-json.ts';

/**
 * A `/meetme` interaction's options → the command text the core parses (`mute 200 "Tim Smith"`).
 * The core's grammar validates every value; this only orders and quotes them.
 */

export interface OptionValue {
  readonly name: string;
  readonly value: string | number | boolean | undefined;
}

/** Quotes a value that holds spaces or quotes, so the core's tokenizer reads it as one word. */
export function quoteWord(value: string): string {
  if (value !== '' && !/[\s"'\u2018\u2019\u201c\u201d\\]/u.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function valueOf(options: readonly OptionValue[], name: string): string | number | boolean | undefined {
  return options.find((o) => o.name === name)?.value;
}

export function commandText(subcommand: string, options: readonly OptionValue[]): string {
  const words = [subcommand];
  if (subcommand === 'listen' && valueOf(options, 'call') !== undefined) {
    words.push('call', quoteWord(String(valueOf(options, 'call'))));
    const sensor = valueOf(options, 'sensor');
    if (sensor !== undefined) words.push(quoteWord(String(sensor)));
    return words.join(' ');
  }
  // Declared order for known subcommands; as received for anything else (the core answers it).
  const order = isSubcommandName(subcommand) ? subcommandOptions(subcommand).map((o) => o.name) : options.map((o) => o.name);
  for (const name of order) {
    if (subcommand === 'listen' && (name === 'call' || name === 'sensor')) continue;
    const value = valueOf(options, name);
    if (value === undefined) continue;
    if (typeof value === 'boolean') {
      if (value) words.push(name);
      continue;
    }
    words.push(quoteWord(String(value)));
  }
  return words.join(' ');
}
