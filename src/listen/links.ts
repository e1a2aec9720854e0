import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config.ts';
import type { Actor } from '../core/adapter.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { KeyValueStore } from '../store/types.ts';

/**
 * Signed, opaque listen links. A token is `v2.<key id>.<sealed>`: `sealed` is base64url of a random
 * 12-byte IV, the claims (JSON) encrypted with AES-256-GCM, and the 16-byte GCM tag, with `v2.<key id>`
 * as additional authenticated data. The AES key is derived from the signing key with HKDF, so one
 * configured secret still covers everything. The GCM tag is the signature: a changed byte anywhere
 * fails it. Encryption keeps the requester's name, user id and the SIP Call-ID out of URLs (browser
 * history, proxy logs, chat previews). The key id (a hash prefix, not the key) lets a link sealed
 * before a key change be told apart from a forged one.
 */

export interface LinkClaims {
  readonly sensor: string;
  readonly callref: string;
  readonly callId: string;
  readonly actor: Pick<Actor, 'platform' | 'userId' | 'displayName'>;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Random; makes each link unique and lets single-use links be spent once. */
  readonly nonce: string;
}

export type LinkRejection = 'malformed' | 'unknown_key' | 'tampered' | 'expired';

export type VerifyResult =
  | { readonly ok: true; readonly claims: LinkClaims }
  | { readonly ok: false; readonly reason: LinkRejection };

const VERSION = 'v2';
const TOKEN_SHAPE = /^v2\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{38,2000})$/;
/** Readable tokens of the previous format: refused like a retired key, so the page says to ask again. */
const OLD_TOKEN = /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
const MIN_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const claimsSchema = z.strictObject({
  s: z.string().min(1),
  r: z.string().min(1),
  c: z.string(),
  u: z.strictObject({ p: z.string(), i: z.string(), n: z.string() }),
  e: z.number().int(),
  n: z.string().min(8),
});

export class LinkSigner {
  private readonly sealKey: Buffer;
  private readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length < MIN_KEY_BYTES) throw new ConfigError([`listen.signingKey (env LISTEN_SIGNING_KEY): use at least ${MIN_KEY_BYTES} bytes`]);
    this.sealKey = Buffer.from(hkdfSync('sha256', key, 'meetme-bot listen links', 'claims aes-256-gcm v2', 32));
    this.keyId = createHash('sha256').update('meetme-bot link key id').update(key).digest('base64url').slice(0, 8);
  }

  sign(claims: LinkClaims): string {
    const body = {
      s: claims.sensor, r: claims.callref, c: claims.callId,
      u: { p: claims.actor.platform, i: claims.actor.userId, n: claims.actor.displayName },
      e: claims.expiresAt, n: claims.nonce,
    };
    const header = `${VERSION}.${this.keyId}`;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv, { authTagLength: TAG_BYTES }).setAAD(Buffer.from(header));
    const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(body), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${header}.${sealed.toString('base64url')}`;
  }

  /** Checks shape, key, the GCM tag, then expiry: nothing in the claims is trusted before the tag. */
  verify(token: string, now: number): VerifyResult {
    if (OLD_TOKEN.test(token)) return { ok: false, reason: 'unknown_key' };
    const match = TOKEN_SHAPE.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    const [, keyId = '', payload = ''] = match;
    if (keyId !== this.keyId) return { ok: false, reason: 'unknown_key' };
    const sealed = Buffer.from(payload, 'base64url');
    // base64url decoding ignores stray low bits, so a re-encoding that differs is an edited token.
    if (sealed.toString('base64url') !== payload || sealed.length < IV_BYTES + TAG_BYTES + 2) return { ok: false, reason: 'tampered' };
    let json: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`)).setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      json = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return { ok: false, reason: 'tampered' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const claims = claimsSchema.safeParse(parsed);
    if (!claims.success) return { ok: false, reason: 'malformed' };
    const c = claims.data;
    if (now >= c.e) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      claims: { sensor: c.s, callref: c.r, callId: c.c, actor: { platform: c.u.p, userId: c.u.i, displayName: c.u.n }, expiresAt: c.e, nonce: c.n },
    };
  }
}

export function newNonce(): string {
  return randomBytes(12).toString('base64url');
}

const KV_KEY = 'listen.signingKey';

/** Accepts hex (64+ digits) or base64 of at least 32 bytes; anything else is used as raw text. */
function decodeConfiguredKey(configKey: string): Buffer {
  if (/^[0-9a-fA-F]{64,}$/.test(configKey) && configKey.length % 2 === 0) return Buffer.from(configKey, 'hex');
  const base64 = Buffer.from(configKey, 'base64');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(configKey) && base64.length >= MIN_KEY_BYTES) return base64;
  return Buffer.from(configKey, 'utf8');
}

/**
 * The link-signing key: from config when given; else the one stored on first start; else (no store)
 * a fresh in-memory key, which means links stop working at the next restart.
 */
export async function loadOrCreateSigningKey(configKey: string | undefined, kv: KeyValueStore | undefined, logger: Logger = silentLogger()): Promise<Buffer> {
  const log = logger.child({ component: 'listen-links' });
  if (configKey !== undefined) return decodeConfiguredKey(configKey);
  if (kv === undefined) {
    log.warn('no store for the link signing key: generated one in memory; listen links will not survive a restart (set listen.signingKey / LISTEN_SIGNING_KEY)');
    return randomBytes(32);
  }
  const stored = await kv.get(KV_KEY);
  if (stored !== undefined) return Buffer.from(stored, 'base64');
  const key = randomBytes(32);
  await kv.set(KV_KEY, key.toString('base64'));
  log.info('generated a link signing key and saved it in the store');
  return key;
}
