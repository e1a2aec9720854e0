import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { defaultAdapters } from '../../../src/main.ts';

/** The discord config section: env vars, validation naming key and fix, and joining the adapters. */

const load = (env: Record<string, string>) => loadConfig({ env });

describe('discord config', () => {
  it('reads DISCORD_TOKEN, DISCORD_APPLICATION_ID, DISCORD_GUILD_ID and DISCORD_API_URL', () => {
    const config = load({
      DISCORD_TOKEN: 'abc.def.ghi', DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_GUILD_ID: '223456789012345678', DISCORD_API_URL: 'http://127.0.0.1:9/api',
    });
    expect(config.discord).toEqual({ token: 'abc.def.ghi', applicationId: '123456789012345678', guildId: '223456789012345678', apiUrl: 'http://127.0.0.1:9/api' });
  });

  it('names the key and the fix for a bad application id', () => {
    let error: unknown;
    try {
      load({ DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: 'my-bot' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).userMessage).toMatch(/discord\.applicationId.*DISCORD_APPLICATION_ID|DISCORD_APPLICATION_ID.*discord\.applicationId/);
    expect((error as ConfigError).userMessage).toContain('General Information');
  });

  it('adds discord to the default adapters when a token is configured', () => {
    const config = load({ DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: '123456789012345678' });
    expect(defaultAdapters(config, false)).toEqual(['discord']);
    expect(defaultAdapters(config, true)).toEqual(['shell', 'discord']);
  });
});
