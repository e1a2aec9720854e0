import { call, type RedisConnection } from './redis-connection.ts';

/**
 * Leases on Redis: exactly one replica holds a name (a room's status message in a conversation, an
 * alert incident, the Discord gateway) at a time, for a time-to-live it renews.
 *
 * - Acquire is `SET key token NX PX ttl`; each successful acquire also takes the next number of a
 *   per-name counter: the fencing token. A replica that stalls past its ttl and wakes up still
 *   holds an old, smaller fence, and the write it then attempts is refused (`fencedWrite`).
 * - Renew and release compare the token before acting (compare-and-expire, compare-and-delete
 *   scripts), so a replica never extends or drops a lease another replica has taken over.
 * Every call rejects with StoreError when Redis does not answer: a replica that cannot prove it
 * holds a lease must act as if it did not.
 * @see https://redis.io/docs/latest/develop/use/patterns/distributed-locks/
 */

export interface Lease {
  readonly name: string;
  readonly token: string;
  readonly fence: number;
  readonly ttlMs: number;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/**
 * Writes a field of a hash only when the caller's fence is at least the one stored with it, and
 * stores the caller's fence: a superseded holder can never overwrite its successor's record.
 */
const FENCED_HSET = `
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local mine = tonumber(ARGV[2])
if mine < current then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;
/** The stored fence for a field, or 0. */
const FENCE_OK = `local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') if tonumber(ARGV[2]) >= current then return 1 else return 0 end`;

export class LeaseManager {
  constructor(private readonly redis: RedisConnection, private readonly newToken: () => string) {}

  private key(name: string): string {
    return this.redis.key(`lease:${name}`);
  }

  /** The lease, or undefined while another replica holds it. */
  async acquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    const token = this.newToken();
    const ok = await call('lease acquire', () => this.redis.client.set(this.key(name), token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }));
    if (ok !== 'OK') return undefined;
    const fence = await call('lease fence', () => this.redis.client.incr(this.redis.key(`fence:${name}`)));
    return { name, token, fence, ttlMs };
  }

  /** False when the lease was lost (expired and taken, or released): stop acting on it. */
  async renew(lease: Lease): Promise<boolean> {
    const n = await call('lease renew', () => this.redis.client.eval(RENEW, { keys: [this.key(lease.name)], arguments: [lease.token, String(lease.ttlMs)] }));
    return n === 1;
  }

  async release(lease: Lease): Promise<boolean> {
    const n = await call('lease release', () => this.redis.client.eval(RELEASE, { keys: [this.key(lease.name)], arguments: [lease.token] }));
    return n === 1;
  }

  /** Who holds the name now (its token), if anyone. */
  async holder(name: string): Promise<string | undefined> {
    return (await call('lease holder', () => this.redis.client.get(this.key(name)))) ?? undefined;
  }

  /**
   * Sets `field` of hash `hash` to `value` under fence `fence` (kept in `hash:fences`). False when a
   * later holder already wrote it: the caller has been superseded and must not act.
   */
  async fencedWrite(hash: string, field: string, fence: number, value: string): Promise<boolean> {
    const n = await call('fenced write', () => this.redis.client.eval(FENCED_HSET, {
      keys: [this.redis.key(hash), this.redis.key(`${hash}:fences`)],
      arguments: [field, String(fence), value],
    }));
    return n === 1;
  }

  /** Whether `fence` is still the newest for `field` of `hash`: checked before each edit. */
  async fenceValid(hash: string, field: string, fence: number): Promise<boolean> {
    const n = await call('fence check', () => this.redis.client.eval(FENCE_OK, { keys: [this.redis.key(`${hash}:fences`)], arguments: [field, String(fence)] }));
    return n === 1;
  }
}
