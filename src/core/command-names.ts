/** The slash command and its one-line texts, shared by the parser, adapters and manifest.yml. */
export const SLASH_COMMAND = '/meetme';
export const USAGE_HINT = 'list | show <room> | mute <room> <who> | kick <room> <who> | help';
export const COMMAND_DESCRIPTION = 'See and control Asterisk conference rooms: who is in, mute, kick, lock, listen';
