/**
 * Pure classification of the manager's short text replies. Audio and text share one reply channel
 * with no framing, so text is recognised only by its exact bytes (short ASCII, known prefixes), never
 * guessed: anything else from `readaudio` is audio.
 * @see ../shared/protocols/voipmonitor-manager.md (beside the repository) (Live audio)
 */

export type ReadAudioResult =
  | { readonly kind: 'audio'; readonly pcm: Buffer }
  | { readonly kind: 'wait' }
  | { readonly kind: 'call_not_found' }
  | { readonly kind: 'worker_not_found' }
  | { readonly kind: 'client_not_found' };

export type ListenResult = 'started' | 'already_listening' | 'call_not_found' | 'liveaudio_disabled';

/** Longest text reply the sensor sends to listen/readaudio, with room to spare; audio comes in 800-byte periods. */
const MAX_TEXT_REPLY = 64;

const READAUDIO_TEXT: ReadonlyMap<string, ReadAudioResult> = new Map<string, ReadAudioResult>([
  ['information: wait for data', { kind: 'wait' }],
  ['error: call not found', { kind: 'call_not_found' }],
  ['error: worker not found', { kind: 'worker_not_found' }],
  ['error: client of worker not found', { kind: 'client_not_found' }],
]);

const LISTEN_TEXT: ReadonlyMap<string, ListenResult> = new Map<string, ListenResult>([
  ['success', 'started'],
  ['call already listening', 'already_listening'],
  ['call not found', 'call_not_found'],
  ['liveaudio is disabled', 'liveaudio_disabled'],
]);

/** The reply as text when it is short ASCII, trailing newline dropped; undefined otherwise. */
export function shortText(reply: Buffer): string | undefined {
  if (reply.length > MAX_TEXT_REPLY) return undefined;
  for (const byte of reply) if (byte > 0x7e || (byte < 0x20 && byte !== 0x0a && byte !== 0x0d)) return undefined;
  return reply.toString('latin1').replace(/\r?\n$/, '');
}

/** `error: ...` or `information: ...` replies that are not documented: surfaced, never played. */
export class UnexpectedReadAudioText extends Error {}

export function classifyReadAudio(reply: Buffer): ReadAudioResult {
  if (reply.length === 0) return { kind: 'wait' };
  const text = shortText(reply);
  if (text !== undefined) {
    const known = READAUDIO_TEXT.get(text);
    if (known) return known;
    if (text.startsWith('error: ') || text.startsWith('information: ')) throw new UnexpectedReadAudioText(text);
  }
  return { kind: 'audio', pcm: reply };
}

/** Undefined for a reply `listen` is not documented to give. */
export function classifyListen(reply: Buffer): ListenResult | undefined {
  const text = shortText(reply);
  return text === undefined ? undefined : LISTEN_TEXT.get(text);
}

export function isNeedAes(reply: Buffer): boolean {
  return shortText(reply) === 'need aes!';
}

export function isCommandNotFound(reply: Buffer): boolean {
  return shortText(reply) === 'command not found';
}
