import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * AES framing of the manager protocol. Pure: bytes in, bytes out.
 * Request: `<cipher>:` + AES-CBC(command, PKCS#7) + `:sea`. Reply: `aes:` + AES-CBC(whole reply).
 * @see ../shared/protocols/voipmonitor-manager.md (beside the repository) (Transport)
 */

export type AesCipherName = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';

export interface AesSettings {
  readonly cipher: AesCipherName;
  readonly key: Buffer;
  readonly iv: Buffer;
}

const KEY_BYTES: Record<AesCipherName, number> = { 'aes-128-cbc': 16, 'aes-192-cbc': 24, 'aes-256-cbc': 32 };
const REPLY_PREFIX = Buffer.from('aes:');
const REQUEST_SUFFIX = Buffer.from(':sea');

/** Thrown for unusable key material; the client wraps it into a config error naming the sensor. */
export class AesKeyMaterialError extends RangeError {}

/**
 * Decodes the base64 config values. OpenSSL uses only as many key bytes as the cipher needs (the
 * GUI's 32-character key decodes to more than 16 bytes for aes-128), so the key is sliced the same way.
 */
export function aesSettingsFromBase64(cipher: AesCipherName, keyBase64: string, ivBase64: string): AesSettings {
  const key = Buffer.from(keyBase64, 'base64');
  const iv = Buffer.from(ivBase64, 'base64');
  const need = KEY_BYTES[cipher];
  if (key.length < need) throw new AesKeyMaterialError(`aesKey decodes to ${key.length} bytes; ${cipher} needs at least ${need}`);
  if (iv.length < 16) throw new AesKeyMaterialError(`aesIv decodes to ${iv.length} bytes; it needs 16`);
  return { cipher, key: key.subarray(0, need), iv: iv.subarray(0, 16) };
}

export function encryptRequest(command: string, aes: AesSettings): Buffer {
  const cipher = createCipheriv(aes.cipher, aes.key, aes.iv);
  const body = Buffer.concat([cipher.update(command, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from(`${aes.cipher}:`), body, REQUEST_SUFFIX]);
}

export function isEncryptedReply(reply: Buffer): boolean {
  return reply.subarray(0, REPLY_PREFIX.length).equals(REPLY_PREFIX);
}

/** Throws (OpenSSL `bad decrypt`) when the key or IV does not match the sensor's. */
export function decryptReply(reply: Buffer, aes: AesSettings): Buffer {
  const decipher = createDecipheriv(aes.cipher, aes.key, aes.iv);
  return Buffer.concat([decipher.update(reply.subarray(REPLY_PREFIX.length)), decipher.final()]);
}

/** The sensor side of the same framing (used by the embedded sensor). */
export function encryptReply(reply: Buffer, aes: AesSettings): Buffer {
  const cipher = createCipheriv(aes.cipher, aes.key, aes.iv);
  return Buffer.concat([REPLY_PREFIX, cipher.update(reply), cipher.final()]);
}

const REQUEST_PREFIX = /^(aes-(?:128|192|256)-cbc):/;

/** Splits an encrypted request; undefined when `frame` is not (yet) a complete encrypted request. */
export function parseEncryptedRequest(frame: Buffer): { cipher: AesCipherName; body: Buffer } | undefined {
  const head = REQUEST_PREFIX.exec(frame.subarray(0, 16).toString('latin1'));
  if (!head?.[1] || !frame.subarray(frame.length - REQUEST_SUFFIX.length).equals(REQUEST_SUFFIX)) return undefined;
  const body = frame.subarray(head[0].length, frame.length - REQUEST_SUFFIX.length);
  if (body.length === 0 || body.length % 16 !== 0) return undefined;
  return { cipher: head[1] as AesCipherName, body };
}

export function decryptRequest(body: Buffer, aes: AesSettings): string {
  const decipher = createDecipheriv(aes.cipher, aes.key, aes.iv);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
