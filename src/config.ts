import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BotError } from './errors.ts';

/**
 * One zod schema for everything the bot can be told: a YAML file (MEETME_CONFIG or ./meetme-bot.yml)
 * and environment variables on top of it. With nothing configured the bot runs the embedded PBX,
 * the embedded sensor, the shell adapter and the player page on localhost.
 */

const port = z.number().int().min(1).max(65535);
/** A port to listen on: 0 picks any free one. */
const listenPort = z.number().int().min(0).max(65535);
const nonEmpty = z.string().trim().min(1);
/** Rejects CR/LF (and other control characters) in values that end up on the AMI wire. */
const wireSafe = nonEmpty.regex(/^[^\x00-\x1f\x7f]*$/, 'must not contain control characters such as newlines');

const originateTemplate = z.strictObject({
  /** Channel to originate; `{room}` is replaced by the room name. E.g. `Local/moh@muzak`. */
  channel: wireSafe,
  /** Dialplan context/exten the channel is connected to (must join the room). */
  context: wireSafe,
  exten: wireSafe,
  priority: z.number().int().min(1).default(1),
  callerId: wireSafe.optional(),
  /** Dial timeout; the bot waits this long (plus the action timeout) for the channel to answer. */
  timeoutMs: z.number().int().min(1000).default(30_000),
});

/** Where `bringIn` sends a waiting caller (`{room}` is replaced); default: the invite template's context/exten/priority. */
const lobbyTarget = z.strictObject({ context: wireSafe, exten: wireSafe.default('{room}'), priority: z.number().int().min(1).default(1) });

const lobby = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('conference'), conference: wireSafe, target: lobbyTarget.optional() }),
  z.strictObject({ type: z.literal('moh'), context: wireSafe, exten: wireSafe, target: lobbyTarget.optional() }),
]);

export const pbxSchema = z.strictObject({
  id: nonEmpty.regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore'),
  host: nonEmpty,
  port: port.default(5038),
  tls: z.boolean().default(false),
  /** Accept a self-signed certificate (only with `tls: true`). */
  tlsInsecure: z.boolean().default(false),
  /** PEM file of the CA that signed the PBX's AMI TLS certificate (a private CA). */
  tlsCaFile: nonEmpty.optional(),
  username: wireSafe,
  secret: wireSafe,
  authType: z.enum(['plain', 'md5']).default('md5'),
  events: wireSafe.default('call,system'),
  dialect: z.enum(['auto', 'confbridge', 'meetme']).default('auto'),
  actionTimeoutMs: z.number().int().min(100).default(10_000),
  pingIntervalMs: z.number().int().min(0).default(15_000),
  /** After login, wait this long at most for `FullyBooted` before listing rooms (a PBX still booting). */
  bootWaitMs: z.number().int().min(0).default(2000),
  /** Retry delay after a refused login: slow, so fail2ban does not ban the bot's address. */
  loginRetryMs: z.number().int().min(1000).default(60_000),
  /** Re-list every room this often (0: only on connect). */
  resyncIntervalSec: z.number().int().min(0).default(0),
  /** Asterisk sends no event for a lock: re-read every room's lock state this often (0: only around lock commands). */
  lockRefreshSec: z.number().int().min(0).default(15),
  topicVariable: wireSafe.regex(/^[A-Za-z0-9_()]+$/, 'use a plain channel variable name').default('MEETME_TOPIC'),
  muzak: originateTemplate.optional(),
  stream: originateTemplate.optional(),
  /** How `invite` dials: `{number}` is replaced by the digits given. */
  invite: z.strictObject({
    channel: wireSafe.default('PJSIP/{number}'),
    context: wireSafe,
    exten: wireSafe.default('{room}'),
    priority: z.number().int().min(1).default(1),
    callerId: wireSafe.optional(),
    timeoutMs: z.number().int().min(1000).default(30_000),
  }).optional(),
  /** Default dialplan context for `transfer` when the user gives only an extension. */
  transferContext: wireSafe.default('default'),
  /** Room name → the lobby its callers wait in. */
  lobbies: z.record(z.string(), lobby).default({}),
});

export const sensorSchema = z.strictObject({
  id: nonEmpty.regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore'),
  host: nonEmpty.default('127.0.0.1'),
  port: port.default(5029),
  /** A unix socket path (`managersocket`); never encrypted. Overrides host/port. */
  socketPath: nonEmpty.optional(),
  /** Base64, as `manager_aes_key` in the sensor's config. */
  aesKey: nonEmpty.optional(),
  /** Base64, as `manager_aes_iv`. */
  aesIv: nonEmpty.optional(),
  aesCipher: z.string().regex(/^aes-(128|192|256)-cbc$/, 'use aes-128-cbc, aes-192-cbc or aes-256-cbc').default('aes-128-cbc'),
  timeoutMs: z.number().int().min(100).default(5000),
}).refine((s) => (s.aesKey === undefined) === (s.aesIv === undefined), {
  message: 'set both aesKey and aesIv (base64, from manager_aes_key and manager_aes_iv), or neither',
  path: ['aesKey'],
});

const roleName = z.enum(['viewer', 'listener', 'moderator', 'admin']);

export const roleGrantSchema = z.strictObject({
  role: roleName,
  /** `platform:userId`, e.g. `slack:U123ABC`, or `*` for everyone on any platform. */
  users: z.array(nonEmpty).default([]),
  /** `platform:groupId`, e.g. `slack:S0123` (user group) or `discord:987654` (role). */
  groups: z.array(nonEmpty).default([]),
  /** Glob on the PBX id (`*` by default). */
  pbx: nonEmpty.default('*'),
  /** Glob on the room name (`*` by default). */
  rooms: nonEmpty.default('*'),
});

export const slackSchema = z.strictObject({
  mode: z.enum(['socket', 'http']).default('socket'),
  botToken: nonEmpty.regex(/^xoxb-/, 'a bot token starts with xoxb- (OAuth & Permissions page)'),
  appToken: nonEmpty.regex(/^xapp-/, 'an app-level token starts with xapp- (Basic Information → App-Level Tokens)').optional(),
  signingSecret: nonEmpty.optional(),
  port: listenPort.default(3000),
  /** HTTP mode: the interface to listen on (default: all; use 127.0.0.1 behind a reverse proxy). */
  httpHost: nonEmpty.optional(),
  /** Override the Web API base URL (tests point it at a local fake). */
  apiUrl: z.string().url().optional(),
  /** Channel that receives alerts when no subscription says otherwise. */
  alertChannel: nonEmpty.optional(),
}).superRefine((s, ctx) => {
  if (s.mode === 'socket' && s.appToken === undefined) {
    ctx.addIssue({ code: 'custom', path: ['appToken'], message: 'Socket Mode needs an app-level token (SLACK_APP_TOKEN, xapp-...)' });
  }
  if (s.mode === 'http' && s.signingSecret === undefined) {
    ctx.addIssue({ code: 'custom', path: ['signingSecret'], message: 'HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)' });
  }
});

export const configSchema = z.strictObject({
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where the SQLite store and generated keys live. */
  dataDir: nonEmpty.default('./data'),
  /** Real PBXs. None: the embedded PBX runs instead. */
  pbxs: z.array(pbxSchema).default([]),
  /** Real VoIPmonitor sensors. None: the embedded sensor runs instead. */
  sensors: z.array(sensorSchema).default([]),
  embedded: z.strictObject({
    /** Run the embedded PBX even when real ones are configured (demo, tests). */
    pbx: z.boolean().optional(),
    dialect: z.enum(['confbridge', 'meetme', 'meetme-legacy']).default('confbridge'),
    /** Keep demo rooms alive (people join, talk, leave). */
    demo: z.boolean().default(true),
    sensor: z.boolean().optional(),
  }).default({ dialect: 'confbridge', demo: true }),
  listen: z.strictObject({
    /** Where the player page listens. Keep it on loopback behind a reverse proxy in production. */
    host: nonEmpty.default('127.0.0.1'),
    port: listenPort.default(8088),
    /** The URL users open, e.g. https://bot.example.com. Defaults to http://host:port. */
    publicBaseUrl: z.string().url().optional(),
    /** Base64 or hex HMAC key, at least 32 bytes. Generated and kept in the store when absent. */
    signingKey: z.string().min(32, 'use at least 32 characters (openssl rand -base64 32)').optional(),
    linkTtlSec: z.number().int().min(30).max(86_400).default(600),
    singleUse: z.boolean().default(false),
    pollMs: z.number().int().min(20).max(1000).default(50),
    enabled: z.boolean().default(true),
  }).default({ host: '127.0.0.1', port: 8088, linkTtlSec: 600, singleUse: false, pollMs: 50, enabled: true }),
  /** Chat adapters to start. Default: shell, plus slack when Slack tokens are given. */
  adapters: z.array(z.enum(['shell', 'slack'])).optional(),
  slack: slackSchema.optional(),
  roles: z.array(roleGrantSchema).default([]),
  store: z.strictObject({
    /** Audit records and alert acknowledgements older than this are deleted (at start and daily). */
    auditRetentionDays: z.number().int().min(1).default(90),
  }).default({ auditRetentionDays: 90 }),
  status: z.strictObject({
    /** Keep an ended room's final summary this long before forgetting it. */
    keepEndedSec: z.number().int().min(0).default(3600),
  }).default({ keepEndedSec: 3600 }),
});

export type Config = z.infer<typeof configSchema>;
export type PbxConfig = z.infer<typeof pbxSchema>;
export type SensorConfig = z.infer<typeof sensorSchema>;
export type RoleGrant = z.infer<typeof roleGrantSchema>;
export type SlackConfig = z.infer<typeof slackSchema>;
export type RoleName = z.infer<typeof roleName>;

export class ConfigError extends BotError {
  readonly code = 'config_invalid' as const;
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables and the config key each one sets. */
export const ENV_KEYS: readonly (readonly [env: string, key: string])[] = [
  ['MEETME_LOG_LEVEL', 'logLevel'],
  ['MEETME_DATA_DIR', 'dataDir'],
  ['MEETME_AUDIT_RETENTION_DAYS', 'store.auditRetentionDays'],
  ['AMI_HOST', 'pbxs.0.host'],
  ['AMI_PORT', 'pbxs.0.port'],
  ['AMI_USERNAME', 'pbxs.0.username'],
  ['AMI_SECRET', 'pbxs.0.secret'],
  ['AMI_TLS', 'pbxs.0.tls'],
  ['AMI_AUTH', 'pbxs.0.authType'],
  ['AMI_DIALECT', 'pbxs.0.dialect'],
  ['AMI_TLS_CA_FILE', 'pbxs.0.tlsCaFile'],
  ['SENSOR_HOST', 'sensors.0.host'],
  ['SENSOR_PORT', 'sensors.0.port'],
  ['SENSOR_AES_KEY', 'sensors.0.aesKey'],
  ['SENSOR_AES_IV', 'sensors.0.aesIv'],
  ['LISTEN_HOST', 'listen.host'],
  ['LISTEN_PORT', 'listen.port'],
  ['LISTEN_PUBLIC_URL', 'listen.publicBaseUrl'],
  ['LISTEN_SIGNING_KEY', 'listen.signingKey'],
  ['LISTEN_LINK_TTL_SEC', 'listen.linkTtlSec'],
  ['SLACK_MODE', 'slack.mode'],
  ['SLACK_BOT_TOKEN', 'slack.botToken'],
  ['SLACK_APP_TOKEN', 'slack.appToken'],
  ['SLACK_SIGNING_SECRET', 'slack.signingSecret'],
  ['SLACK_PORT', 'slack.port'],
  ['SLACK_HTTP_HOST', 'slack.httpHost'],
  ['SLACK_ALERT_CHANNEL', 'slack.alertChannel'],
];

const ENV_BY_KEY = new Map<string, string>([...ENV_KEYS.map(([env, key]) => [key, env] as const), ['adapters', 'MEETME_ADAPTERS']]);

/** Keys whose env value is a number or a boolean; every other env value stays a string. */
const NUMERIC_KEYS = new Set(['pbxs.0.port', 'sensors.0.port', 'listen.port', 'listen.linkTtlSec', 'slack.port', 'store.auditRetentionDays']);
const BOOLEAN_KEYS = new Set(['pbxs.0.tls']);

/** Turns an env string into what the schema expects; a value that does not parse is left for zod to name. */
function coerce(key: string, value: string): string | number | boolean {
  if (NUMERIC_KEYS.has(key) && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  if (BOOLEAN_KEYS.has(key) && /^(true|false|yes|no|1|0)$/i.test(value.trim())) return /^(true|yes|1)$/i.test(value.trim());
  return value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const nextIsIndex = /^\d+$/.test(parts[i + 1] as string);
    const holder = cur as Record<string, unknown>;
    if (holder[part] === undefined || holder[part] === null) holder[part] = nextIsIndex ? [] : {};
    cur = holder[part] as Record<string, unknown>;
  }
  (cur as Record<string, unknown>)[parts[parts.length - 1] as string] = value;
}

/** Applies env vars over the file's values. An AMI/sensor env var fills in an `id` when none is set. */
export function applyEnv(base: Record<string, unknown>, env: Env): Record<string, unknown> {
  const out = structuredClone(base);
  for (const [name, key] of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(out, key, coerce(key, raw));
  }
  const pbxs = out['pbxs'];
  if (Array.isArray(pbxs) && pbxs[0] && typeof pbxs[0] === 'object' && !('id' in pbxs[0])) (pbxs[0] as Record<string, unknown>)['id'] = 'pbx';
  const sensors = out['sensors'];
  if (Array.isArray(sensors) && sensors[0] && typeof sensors[0] === 'object' && !('id' in sensors[0])) (sensors[0] as Record<string, unknown>)['id'] = 'sensor';
  if (env['MEETME_ADAPTERS']) out['adapters'] = env['MEETME_ADAPTERS'].split(',').map((s) => s.trim()).filter(Boolean);
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join('.') || '(top level)';
  // The env var of the key or of its nearest parent (`adapters.1` → MEETME_ADAPTERS).
  const parts = issue.path.map(String);
  let env: string | undefined;
  for (let n = parts.length; n > 0 && env === undefined; n--) env = ENV_BY_KEY.get(parts.slice(0, n).join('.'));
  const where = env ? `${key} (env ${env})` : key;
  let fix = issue.message;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) fix = 'is required';
  if (issue.code === 'unrecognized_keys') fix = `unknown key(s) ${issue.keys.join(', ')}: check the spelling against README.md`;
  return `${where}: ${fix}`;
}

/** Validates a raw object; throws ConfigError naming each bad key and how to fix it. */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue));
  return result.data;
}

export interface LoadConfigOptions {
  readonly env?: Env;
  /** Explicit file; default MEETME_CONFIG, then ./meetme-bot.yml if it exists. */
  readonly file?: string;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env['MEETME_CONFIG'];
  let base: Record<string, unknown> = {};
  const candidate = file ?? 'meetme-bot.yml';
  let text: string | undefined;
  try {
    text = readFileSync(candidate, 'utf8');
  } catch (err) {
    if (file !== undefined) throw new ConfigError([`MEETME_CONFIG: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new ConfigError([`${candidate}: not valid YAML (${(err as Error).message.split('\n')[0]})`]);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError([`${candidate}: the top level must be a mapping of keys`]);
      base = parsed as Record<string, unknown>;
    }
  }
  return parseConfig(applyEnv(base, env));
}
