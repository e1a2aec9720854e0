import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkSigner, loadOrCreateSigningKey, type LinkClaims } from '../../src/listen/links.ts';
import type { KeyValueStore } from '../../src/store/types.ts';

const key = Buffer.alloc(32, 1);
const claims: LinkClaims = {
  sensor: 'sensor-a',
  callref: '0x7fdcfc00b2e0',
  callId: 'd1d03611d4382d8e@fakecall.local',
  actor: { platform: 'slack', userId: 'U123', displayName: 'Alice' },
  expiresAt: 2_000_000,
  nonce: 'bm9uY2Utbm9uY2U',
};
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

describe('LinkSigner', () => {
  const signer = new LinkSigner(key);
  const token = signer.sign(claims);

  it('verifies its own token and returns the claims', () => {
    expect(signer.verify(token, 1_000_000)).toEqual({ ok: true, claims });
  });

  it('rejects every single-character change anywhere in the token', () => {
    for (let i = 0; i < token.length; i++) {
      for (const replacement of [ALPHABET[(ALPHABET.indexOf(token[i] ?? 'A') + 1) % ALPHABET.length], '.', '%']) {
        const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
        if (tampered === token) continue;
        expect(signer.verify(tampered, 1_000_000).ok, `position ${i} → ${replacement}`).toBe(false);
      }
    }
  });

  it('rejects any random edit of the token (property)', () => {
    fc.assert(fc.property(fc.nat({ max: token.length - 1 }), fc.nat({ max: 8 }), fc.string({ maxLength: 4 }), (at, cut, insert) => {
      const edited = token.slice(0, at) + insert + token.slice(at + cut);
      fc.pre(edited !== token);
      return !signer.verify(edited, 1_000_000).ok;
    }));
  });

  it('says tampered for a changed ciphertext, IV or tag', () => {
    const [v, kid, sealed] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(sealed, 'base64url');
    for (const at of [0, 12, bytes.length - 1]) {
      const edited = Buffer.from(bytes);
      edited[at] = (edited[at] ?? 0) ^ 1;
      expect(signer.verify([v, kid, edited.toString('base64url')].join('.'), 1_000_000), `byte ${at}`).toEqual({ ok: false, reason: 'tampered' });
    }
  });

  it('is opaque: no claim appears in the token under any decoding of any part', () => {
    const secrets = [claims.sensor, claims.callref, claims.callId, claims.actor.userId, claims.actor.displayName, claims.actor.platform, claims.nonce, String(claims.expiresAt)];
    const parts = [token, ...token.split('.')];
    const decodings = parts.flatMap((part) => [0, 1, 2, 3].flatMap((shift) => {
      const text = part.slice(shift);
      return [text, Buffer.from(text, 'base64url'), Buffer.from(text, 'base64'), Buffer.from(text, 'hex')].flatMap((d) => typeof d === 'string' ? [d] : [d.toString('utf8'), d.toString('latin1')]);
    }));
    for (const secret of secrets) {
      for (const decoded of decodings) expect(decoded.toLowerCase().includes(secret.toLowerCase()), secret).toBe(false);
    }
    expect(token).toMatch(/^v2\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+$/);
  });

  it('seals the same claims differently each time (random IV), and both verify', () => {
    const again = signer.sign(claims);
    expect(again).not.toBe(token);
    expect(signer.verify(again, 1_000_000)).toEqual({ ok: true, claims });
  });

  it('refuses a readable link of the previous format as signed with a retired key', () => {
    const readable = `v1.AAAAAAAA.${Buffer.from(JSON.stringify({ s: 'x' })).toString('base64url')}.${'A'.repeat(43)}`;
    expect(signer.verify(readable, 1_000_000)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('says expired at and after the expiry, and only for a genuine token', () => {
    expect(signer.verify(token, claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify(token, claims.expiresAt + 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('says unknown_key for a token signed with another key', () => {
    const other = new LinkSigner(Buffer.alloc(32, 2)).sign(claims);
    expect(signer.verify(other, 1_000_000)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('says malformed for things that are not tokens', () => {
    for (const bad of ['', 'abc', 'v2.AAAAAAAA.e30.' + 'A'.repeat(43), token + '.x', token.replace('v2.', 'v2..'), '../../etc/passwd']) {
      expect(signer.verify(bad, 1_000_000)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new LinkSigner(Buffer.alloc(16))).toThrow(/at least 32 bytes/);
  });
});

describe('loadOrCreateSigningKey', () => {
  function memoryKv(): KeyValueStore & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return { data, get: async (k) => data.get(k), set: async (k, v) => { data.set(k, v); } };
  }

  it('generates a key on first start, stores it, and reuses it after', async () => {
    const kv = memoryKv();
    const first = await loadOrCreateSigningKey(undefined, kv);
    expect(first.length).toBe(32);
    expect(kv.data.size).toBe(1);
    expect((await loadOrCreateSigningKey(undefined, kv)).equals(first)).toBe(true);
  });

  it('prefers the configured key, decoding base64 and hex', async () => {
    const raw = Buffer.alloc(32, 7);
    expect((await loadOrCreateSigningKey(raw.toString('base64'), memoryKv())).equals(raw)).toBe(true);
    expect((await loadOrCreateSigningKey(raw.toString('hex'), undefined)).equals(raw)).toBe(true);
  });

  it('without a store, generates an in-memory key and says so in the log', async () => {
    const lines: string[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
    const generated = await loadOrCreateSigningKey(undefined, undefined, logger);
    expect(generated.length).toBe(32);
    expect(lines.join('')).toMatch(/in memory/);
    expect(lines.join('')).not.toContain(generated.toString('base64'));
  });
});
