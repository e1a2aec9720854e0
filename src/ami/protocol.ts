/**
 * AMI wire format, pure (no sockets): bytes → messages (`parser.ts`, with the legacy Command answer
 * in `follows.ts`) and messages → bytes (`serialize.ts`, with the CR/LF guard that keeps user input
 * from injecting a second action). Importers may use this module or the parts directly.
 * @see https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/
 */
export { AmiParser, DEFAULT_MAX_MESSAGE_BYTES, parseAmiMessages, type AmiParserOptions, type AmiParserOutput } from './parser.ts';
export { serializeAction, serializeMessage } from './serialize.ts';
