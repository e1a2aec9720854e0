import { describe, expect, it } from 'vitest';
import { applyEnv, ConfigError, parseConfig } from '../../src/config.ts';

describe('listen.allowedOrigins', () => {
  it('defaults to none: only the public URL\'s origin may open the stream', () => {
    expect(parseConfig({}).listen.allowedOrigins).toEqual([]);
  });

  it('reads LISTEN_ALLOWED_ORIGINS as a comma-separated list', () => {
    const config = parseConfig(applyEnv({}, { LISTEN_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443' }));
    expect(config.listen.allowedOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
  });

  it('refuses an entry that is not a bare origin, naming the key and env var', () => {
    for (const bad of ['https://a.example/', 'https://a.example/listen', 'a.example']) {
      expect(() => parseConfig(applyEnv({}, { LISTEN_ALLOWED_ORIGINS: bad })), bad).toThrow(ConfigError);
    }
    expect(() => parseConfig({ listen: { allowedOrigins: ['https://a.example/'] } })).toThrow(/listen\.allowedOrigins\[0\] \(env LISTEN_ALLOWED_ORIGINS\): an origin/);
  });
});
