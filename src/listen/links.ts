import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config.ts';
import type { Actor } from '../core/adapter.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { KeyValueStore } from '../store/types.ts';

/**
 * Signed listen links. A token is `v1.<key id>.<claims>.<signature>`: claims are base64url JSON, the
 * signature is HMAC-SHA256 over `v1.<key id>.<claims>`. The key id (a hash prefix, not the key) lets a
 * link signed before a key change be told apart from a forged one.
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

const VERSION = 'v1';
const TOKEN_SHAPE = /^v1\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/;
const MIN_KEY_BYTES = 32;

const claimsSchema = z.strictObject({
  s: z.string().min(1),
  r: z.string().min(1),
  c: z.string(),
  u: z.strictObject({ p: z.string(), i: z.string(), n: z.string() }),
  e: z.number().int(),
  n: z.string().min(8),
});

export class LinkSigner {
  private readonly key: Buffer;
  private readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length < MIN_KEY_BYTES) throw new ConfigError([`listen.signingKey (env LISTEN_SIGNING_KEY): use at least ${MIN_KEY_BYTES} bytes`]);
    this.key = key;
    this.keyId = createHash('sha256').update('meetme-bot link key id').update(key).digest('base64url').slice(0, 8);
  }

  sign(claims: LinkClaims): string {
    const body = {
      s: claims.sensor, r: claims.callref, c: claims.callId,
      u: { p: claims.actor.platform, i: claims.actor.userId, n: claims.actor.displayName },
      e: claims.expiresAt, n: claims.nonce,
    };
    const signed = `${VERSION}.${this.keyId}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
    return `${signed}.${this.mac(signed).toString('base64url')}`;
  }

  /** Checks shape, key, signature, then expiry: nothing in the claims is trusted before the signature. */
  verify(token: string, now: number): VerifyResult {
    const match = TOKEN_SHAPE.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    const [, keyId = '', payload = '', signature = ''] = match;
    if (keyId !== this.keyId) return { ok: false, reason: 'unknown_key' };
    const given = Buffer.from(signature, 'base64url');
    const expected = this.mac(`${VERSION}.${keyId}.${payload}`);
    // base64url decoding ignores stray low bits, so compare the canonical re-encoding too.
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== signature) {
      return { ok: false, reason: 'tampered' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
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

  private mac(text: string): Buffer {
    return createHmac('sha256', this.key).update(text).digest();
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
