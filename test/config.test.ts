import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/config.ts';
import { aesConfigHint } from '../src/sensor/errors.ts';

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
    expect(problems.join('\n')).toMatch(/pbxs\[0\]\.port \(env AMI_PORT\)/);
  });

  it('refuses a newline in a value that reaches AMI', () => {
    const problems = problemsOf(() => parseConfig({ pbxs: [{ id: 'a', host: 'h', username: 'bot\r\nAction: Originate', secret: 's' }] }));
    expect(problems.join('\n')).toMatch(/pbxs\[0\]\.username \(env AMI_USERNAME\): must not contain control characters/);
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
    expect(problems.join('\n')).toMatch(/sensors\[0\]\.aesKey \(env SENSOR_AES_KEY\): set both aesKey and aesIv/);
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
    expect(problems.join('\n')).toMatch(/adapters\[1\] \(env MEETME_ADAPTERS\)|adapters \(env MEETME_ADAPTERS\)/);
  });
});

describe('config keys inside sections', () => {
  it('flags a misspelt key inside a pbxs entry instead of ignoring it', () => {
    const problems = problemsOf(() => parseConfig({ pbxs: [{ id: 'a', host: 'h', username: 'u', secret: 's', dialet: 'meetme' }] }));
    expect(problems.join('\n')).toMatch(/pbxs\[0\]: unknown key\(s\) dialet/);
  });

  it('refuses port 0 for a PBX or sensor but allows it for a listener (any free port)', () => {
    expect(problemsOf(() => loadConfig({ env: { AMI_HOST: 'h', AMI_USERNAME: 'u', AMI_SECRET: 's', AMI_PORT: '0' } })).join('\n')).toMatch(/pbxs\[0\]\.port \(env AMI_PORT\)/);
    expect(loadConfig({ env: { LISTEN_PORT: '0' } }).listen.port).toBe(0);
  });
});

const pbx = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, host: 'h', username: 'u', secret: 's', ...extra });
/** 16 bytes of key and IV, base64. */
const AES16 = Buffer.alloc(16, 7).toString('base64');

describe('duplicate ids', () => {
  it('refuses a second PBX with an id already used, naming pbxs[1].id and the fix', () => {
    const problems = problemsOf(() => parseConfig({ pbxs: [pbx('main'), pbx('main', { host: 'other' })] }));
    expect(problems).toEqual([expect.stringMatching(/^pbxs\[1\]\.id: duplicate id "main", already used by pbxs\[0\]: give each PBX its own id/)]);
  });

  it('refuses duplicate sensor ids, including the one AMI-style env vars fill in', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meetme-config-')), 'bot.yml');
    writeFileSync(file, 'sensors:\n  - id: sensor\n    host: 10.0.0.9\n  - id: sensor\n    host: 10.0.0.10\n');
    const problems = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problems.join('\n')).toMatch(/sensors\[1\]\.id: duplicate id "sensor", already used by sensors\[0\]: give each sensor its own id/);
  });
});

describe('config messages', () => {
  it('says a quoted port must be written without quotes', () => {
    const problems = problemsOf(() => parseConfig({ pbxs: [pbx('a', { port: '5038' })] }));
    expect(problems).toEqual(['pbxs[0].port (env AMI_PORT): must be a number, write it without quotes']);
  });

  it('says a non-numeric port must be a number, without suggesting quotes are the problem', () => {
    expect(problemsOf(() => parseConfig({ listen: { port: 'http' } }))).toEqual(['listen.port (env LISTEN_PORT): must be a number']);
  });

  it('says what to write instead of zod\'s generic range and choice wording', () => {
    expect(problemsOf(() => parseConfig({ listen: { linkTtlSec: 5 } }))).toEqual(['listen.linkTtlSec (env LISTEN_LINK_TTL_SEC): must be at least 30']);
    expect(problemsOf(() => parseConfig({ pbxs: [pbx('a', { port: 70000 })] }))).toEqual(['pbxs[0].port (env AMI_PORT): must be at most 65535']);
    expect(problemsOf(() => parseConfig({ pbxs: [pbx('a', { dialect: 'sip' })] }))).toEqual(['pbxs[0].dialect (env AMI_DIALECT): must be one of: auto, confbridge, meetme']);
    expect(problemsOf(() => parseConfig({ pbxs: [pbx('a', { host: ' ' })] }))).toEqual(['pbxs[0].host (env AMI_HOST): must not be empty']);
  });

  it('refuses tlsInsecure without tls, saying to turn TLS on or drop the flag', () => {
    const problems = problemsOf(() => parseConfig({ pbxs: [pbx('a', { tlsInsecure: true })] }));
    expect(problems.join('\n')).toMatch(/^pbxs\[0\]\.tlsInsecure: only applies to TLS: set tls: true as well .* or remove tlsInsecure$/);
    expect(parseConfig({ pbxs: [pbx('a', { tls: true, tlsInsecure: true })] }).pbxs[0]?.tlsInsecure).toBe(true);
  });

  it('refuses an AES key too short for its cipher, naming the key and where to copy it from', () => {
    const problems = problemsOf(() => parseConfig({ sensors: [{ id: 's', aesKey: 'YWJj', aesIv: AES16 }] }));
    expect(problems).toEqual([expect.stringMatching(/^sensors\[0\]\.aesKey \(env SENSOR_AES_KEY\): aesKey decodes to 3 bytes; aes-128-cbc needs at least 16: copy manager_aes_key/)]);
    expect(problemsOf(() => parseConfig({ sensors: [{ id: 's', aesKey: AES16, aesIv: 'YWJj' }] })).join('\n')).toMatch(/^sensors\[0\]\.aesIv \(env SENSOR_AES_IV\): aesIv decodes to 3 bytes/);
  });

  it('names no env var for a sensor after the first: SENSOR_AES_* set only sensors[0]', () => {
    const problems = problemsOf(() => parseConfig({ sensors: [{ id: 'a' }, { id: 'b', aesKey: 'YWJj', aesIv: AES16 }] }));
    expect(problems.join('\n')).toMatch(/^sensors\[1\]\.aesKey: aesKey decodes/);
    expect(problems.join('\n')).not.toMatch(/SENSOR_AES/);
    expect(aesConfigHint('b', 1)).not.toMatch(/SENSOR_AES_KEY \/|env SENSOR/);
    expect(aesConfigHint('b', 1)).toMatch(/sensors\[1\].*in the config file/);
    expect(aesConfigHint('a', 0)).toMatch(/sensors\[0\]\.aesKey and \.aesIv \(env SENSOR_AES_KEY \/ SENSOR_AES_IV\)/);
  });

  it('refuses MEETME_ADAPTERS=slack without Slack tokens, saying which to set', () => {
    const problems = problemsOf(() => loadConfig({ env: { MEETME_ADAPTERS: 'slack' } }));
    expect(problems).toEqual([expect.stringMatching(/^adapters \(env MEETME_ADAPTERS\): slack is listed but Slack is not configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN/)]);
  });
});
