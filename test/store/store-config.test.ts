import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, applyEnv, parseConfig } from '../../src/config.ts';
import { checkConfig } from '../../src/startup/check-config.ts';
import { storeOptionsFor } from '../../src/store/index.ts';

const PASSWORD = 'REDISPASSMARK-3e9d';

function problemsOf(env: Record<string, string>, base: Record<string, unknown> = {}): readonly string[] {
  try {
    parseConfig(applyEnv(base, env));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('store selection in the config', () => {
  it('keeps SQLite in dataDir by default', () => {
    const config = parseConfig({ dataDir: '/srv/meetme' });
    expect(config.store).toMatchObject({ kind: 'sqlite', redisPrefix: 'meetme:' });
    expect(storeOptionsFor(config)).toEqual({ auditRetentionDays: 90, dataDir: '/srv/meetme' });
  });

  it('selects Redis when REDIS_URL alone is set, with the default key prefix', () => {
    const config = parseConfig(applyEnv({}, { REDIS_URL: `redis://:${PASSWORD}@redis.internal:6379/2` }));
    expect(config.store.kind).toBe('redis');
    expect(storeOptionsFor(config)).toEqual({ auditRetentionDays: 90, redis: { url: `redis://:${PASSWORD}@redis.internal:6379/2`, prefix: 'meetme:' } });
  });

  it('lets an explicit store.kind win over REDIS_URL', () => {
    const config = parseConfig(applyEnv({}, { REDIS_URL: 'redis://redis.internal', MEETME_STORE_KIND: 'memory' }));
    expect(storeOptionsFor(config)).toEqual({ auditRetentionDays: 90, memory: true });
  });

  it('takes a key prefix so several bots share one Redis', () => {
    const config = parseConfig(applyEnv({ store: { kind: 'redis', redisUrl: 'rediss://redis.internal:6380' } }, { MEETME_REDIS_PREFIX: 'meetme-eu:' }));
    expect(storeOptionsFor(config)).toMatchObject({ redis: { url: 'rediss://redis.internal:6380', prefix: 'meetme-eu:' } });
  });

  it('names the key and the fix when kind redis has no URL', () => {
    expect(problemsOf({ MEETME_STORE_KIND: 'redis' })).toEqual([
      'store.redisUrl (env REDIS_URL): store.kind is redis but no Redis is named: set REDIS_URL (store.redisUrl) to redis://host:6379, or choose another store.kind',
    ]);
  });

  it('refuses a URL that is not redis:// or rediss:// without echoing it (it may hold a password)', () => {
    for (const url of [`http://:${PASSWORD}@redis.internal`, `${PASSWORD}@redis.internal:6379`]) {
      const problems = problemsOf({ REDIS_URL: url });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^store\.redisUrl \(env REDIS_URL\): must be a redis:\/\/ or rediss:\/\/ \(TLS\) URL/);
      expect(problems.join('\n')).not.toContain(PASSWORD);
    }
  });

  it('refuses an unknown kind and a prefix with spaces, naming each key', () => {
    expect(problemsOf({ MEETME_STORE_KIND: 'mongo' })).toEqual(['store.kind (env MEETME_STORE_KIND): must be one of: sqlite, memory, redis']);
    expect(problemsOf({ REDIS_URL: 'redis://h', MEETME_REDIS_PREFIX: 'my bot' })[0]).toMatch(/^store\.redisPrefix \(env MEETME_REDIS_PREFIX\): use 1-64 letters/);
  });
});

describe('check-config and the store', () => {
  it('names the store it would open, with the Redis password hidden', async () => {
    let out = '';
    const code = await checkConfig({ env: { REDIS_URL: `redis://:${PASSWORD}@redis.internal:6379/2`, MEETME_DATA_DIR: tmpdir() }, write: (text) => { out += text; } });
    expect(code, out).toBe(0);
    expect(out).toContain('store: redis at redis://:***@redis.internal:6379/2 (key prefix meetme:; not contacted by this check)');
    expect(out).not.toContain(PASSWORD);
  });
});
