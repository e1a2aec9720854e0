import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/config.ts';

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('runs the embedded defaults when nothing is configured', () => {
    const config = loadConfig({ env: {} });
    expect(config.pbxs).toEqual([]);
    expect(config.sensors).toEqual([]);
    expect(config.listen.host).toBe('127.0.0.1');
    expect(config.listen.linkTtlSec).toBe(600);
    expect(config.dataDir).toBe('./data');
  });

  it('builds one PBX from AMI_* env vars, with an id and typed port', () => {
    const config = loadConfig({ env: { AMI_HOST: 'pbx.example', AMI_PORT: '5039', AMI_USERNAME: 'bot', AMI_SECRET: '123456', AMI_TLS: 'true' } });
    expect(config.pbxs).toHaveLength(1);
    expect(config.pbxs[0]).toMatchObject({ id: 'pbx', host: 'pbx.example', port: 5039, tls: true, username: 'bot', secret: '123456' });
  });

  it('keeps numeric-looking secrets as strings', () => {
    const config = loadConfig({ env: { AMI_HOST: 'h', AMI_USERNAME: 'u', AMI_SECRET: '0042' } });
    expect(config.pbxs[0]?.secret).toBe('0042');
  });

  it('names the bad key and its env var, and says how to fix it', () => {
    const problems = problemsOf(() => loadConfig({ env: { AMI_HOST: 'h', AMI_USERNAME: 'u', AMI_SECRET: 's', AMI_PORT: '99999' } }));
    expect(problems.join('\n')).toMatch(/pbxs\.0\.port \(env AMI_PORT\)/);
  });

  it('refuses a newline in a value that reaches AMI', () => {
    const problems = problemsOf(() => parseConfig({ pbxs: [{ id: 'a', host: 'h', username: 'bot\r\nAction: Originate', secret: 's' }] }));
    expect(problems.join('\n')).toMatch(/pbxs\.0\.username \(env AMI_USERNAME\): must not contain control characters/);
  });

  it('asks for the app token in Socket Mode', () => {
    const problems = problemsOf(() => parseConfig({ slack: { botToken: 'xoxb-1' } }));
    expect(problems.join('\n')).toMatch(/slack\.appToken.*SLACK_APP_TOKEN/);
  });

  it('explains a bot token with the wrong prefix', () => {
    const problems = problemsOf(() => loadConfig({ env: { SLACK_BOT_TOKEN: 'xapp-1', SLACK_APP_TOKEN: 'xapp-2' } }));
    expect(problems.join('\n')).toMatch(/slack\.botToken \(env SLACK_BOT_TOKEN\): a bot token starts with xoxb-/);
  });

  it('flags an unknown top-level key', () => {
    const problems = problemsOf(() => parseConfig({ pbx: [] }));
    expect(problems.join('\n')).toMatch(/unknown key\(s\) pbx/);
  });

  it('requires AES key and IV together', () => {
    const problems = problemsOf(() => parseConfig({ sensors: [{ id: 's1', aesKey: 'NWL/IFnW/LHDYgF7B2OCJA==' }] }));
    expect(problems.join('\n')).toMatch(/sensors\.0\.aesKey \(env SENSOR_AES_KEY\): set both aesKey and aesIv/);
  });

  it('reads a YAML file and lets env vars override it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meetme-config-'));
    const file = join(dir, 'bot.yml');
    writeFileSync(file, 'logLevel: debug\npbxs:\n  - id: main\n    host: 10.0.0.5\n    username: bot\n    secret: s3cret\n');
    const config = loadConfig({ file, env: { MEETME_LOG_LEVEL: 'warn' } });
    expect(config.logLevel).toBe('warn');
    expect(config.pbxs[0]).toMatchObject({ id: 'main', host: '10.0.0.5', authType: 'md5', dialect: 'auto' });
  });

  it('reports a missing config file by its env var', () => {
    const problems = problemsOf(() => loadConfig({ env: { MEETME_CONFIG: '/nonexistent/bot.yml' } }));
    expect(problems[0]).toMatch(/MEETME_CONFIG: cannot read \/nonexistent\/bot.yml \(ENOENT\)/);
  });
});

describe('config from env vars', () => {
  it('keeps a numeric-looking value a string where the key is a string (user name, channel)', () => {
    const config = loadConfig({ env: { AMI_HOST: 'h', AMI_USERNAME: '1234', AMI_SECRET: '5678', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_ALERT_CHANNEL: '123' } });
    expect(config.pbxs[0]?.username).toBe('1234');
    expect(config.slack?.alertChannel).toBe('123');
  });

  it('reads numbers and booleans only for numeric and boolean keys', () => {
    const config = loadConfig({ env: { AMI_HOST: 'h', AMI_USERNAME: 'u', AMI_SECRET: 's', AMI_PORT: '5039', AMI_TLS: 'yes', MEETME_AUDIT_RETENTION_DAYS: '30' } });
    expect(config.pbxs[0]).toMatchObject({ port: 5039, tls: true, bootWaitMs: 2000, loginRetryMs: 60_000 });
    expect(config.store.auditRetentionDays).toBe(30);
  });

  it('names MEETME_ADAPTERS when its value is wrong', () => {
    const problems = problemsOf(() => loadConfig({ env: { MEETME_ADAPTERS: 'shell,irc' } }));
    expect(problems.join('\n')).toMatch(/adapters\.1 \(env MEETME_ADAPTERS\)|adapters \(env MEETME_ADAPTERS\)/);
  });
});

describe('config keys inside sections', () => {
  it('flags a misspelt key inside a pbxs entry instead of ignoring it', () => {
    const problems = problemsOf(() => parseConfig({ pbxs: [{ id: 'a', host: 'h', username: 'u', secret: 's', dialet: 'meetme' }] }));
    expect(problems.join('\n')).toMatch(/pbxs\.0: unknown key\(s\) dialet/);
  });

  it('refuses port 0 for a PBX or sensor but allows it for a listener (any free port)', () => {
    expect(problemsOf(() => loadConfig({ env: { AMI_HOST: 'h', AMI_USERNAME: 'u', AMI_SECRET: 's', AMI_PORT: '0' } })).join('\n')).toMatch(/pbxs\.0\.port \(env AMI_PORT\)/);
    expect(loadConfig({ env: { LISTEN_PORT: '0' } }).listen.port).toBe(0);
  });
});
