import { parseCommand } from '../../src/core/commands.ts';

/**
 * Whether a command's answer is private, decided when the interaction is deferred (Discord fixes the
 * deferred reply's visibility then). Help, listen links, call lists, audit trails, the running
 * configuration and confirmation questions are private; errors are private too, and a command that
 * does not parse is an error. The adapter still honours the core's choice when it differs.
 */

const PRIVATE_COMMANDS: ReadonlySet<string> = new Set(['help', 'whoami', 'listen', 'calls', 'audit', 'config', 'alerts']);

export function deferEphemeral(text: string): boolean {
  const parsed = parseCommand(text);
  if (!parsed.ok) return true;
  const command = parsed.command;
  if (PRIVATE_COMMANDS.has(command.name)) return true;
  // These ask before acting: the question (with its Confirm button) is for the asker only.
  if ((command.name === 'mute' || command.name === 'kick') && command.who.kind === 'all' && !command.confirmed) return true;
  if (command.name === 'transfer' && !command.confirmed) return true;
  return false;
}
