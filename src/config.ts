import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { alertRulesSchema } from './alerts/rules.ts';
import { BotError } from './errors.ts';
import { AesKeyMaterialError, aesSettingsFromBase64, type AesCipherName } from './sensor/aes.ts';
import { applyEnv, describeKey, type Env } from './config-env.ts';

export { ENV_KEYS, applyEnv, describeKey } from './config-env.ts';

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
  channel: wireSafe.describe('Channel to originate; `{room}` is replaced by the room name. E.g. `Local/moh@muzak`.'),
  context: wireSafe.describe('Dialplan context/exten the channel is connected to (must join the room).'),
  exten: wireSafe,
  priority: z.number().int().min(1).default(1),
  callerId: wireSafe.optional(),
  timeoutMs: z.number().int().min(1000).default(30_000).describe('Dial timeout; the bot waits this long (plus the action timeout) for the channel to answer.'),
});

/** Where `bringIn` sends a waiting caller (`{room}` is replaced); default: the invite template's context/exten/priority. */
const lobbyTarget = z.strictObject({ context: wireSafe, exten: wireSafe.default('{room}'), priority: z.number().int().min(1).default(1) });

const lobby = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('conference'), conference: wireSafe, target: lobbyTarget.optional() }),
  z.strictObject({ type: z.literal('moh'), context: wireSafe, exten: wireSafe, target: lobbyTarget.optional() }),
]);

export const pbxSchema = z.strictObject({
  id: nonEmpty.regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore').describe('The PBX\'s name in the bot: `pbx/room`, role grants and logs use it.'),
  host: nonEmpty.describe('AMI host name or address.'),
  port: port.default(5038).describe('AMI port (5038; 5039 for TLS).'),
  tls: z.boolean().default(false).describe('Connect with TLS (`tlsenable` in manager.conf).'),
  tlsInsecure: z.boolean().default(false).describe('Accept a self-signed certificate (only with `tls: true`).'),
  tlsCaFile: nonEmpty.optional().describe('PEM file of the CA that signed the PBX\'s AMI TLS certificate (a private CA).'),
  username: wireSafe.describe('The manager.conf user (see contrib/manager.conf.example).'),
  secret: wireSafe.describe('The manager.conf secret.'),
  authType: z.enum(['plain', 'md5']).default('md5'),
  events: wireSafe.default('call,system').describe('Event classes to ask for at login: the bot needs call and system.'),
  dialect: z.enum(['auto', 'confbridge', 'meetme']).default('auto'),
  actionTimeoutMs: z.number().int().min(100).default(10_000).describe('How long one AMI action may take before it counts as failed.'),
  pingIntervalMs: z.number().int().min(0).default(15_000).describe('Keepalive Ping interval (0: none).'),
  bootWaitMs: z.number().int().min(0).default(2000).describe('After login, wait this long at most for `FullyBooted` before listing rooms (a PBX still booting).'),
  loginRetryMs: z.number().int().min(1000).default(60_000).describe('Retry delay after a refused login: slow, so fail2ban does not ban the bot\'s address.'),
  resyncIntervalSec: z.number().int().min(0).default(0).describe('Re-list every room this often (0: only on connect).'),
  lockRefreshSec: z.number().int().min(0).default(15).describe('Asterisk sends no event for a lock: re-read every room\'s lock state this often (0: only around lock commands).'),
  topicVariable: wireSafe.regex(/^[A-Za-z0-9_()]+$/, 'use a plain channel variable name').default('MEETME_TOPIC').describe('Channel variable that holds a caller\'s topic.'),
  muzak: originateTemplate.optional().describe('How `muzak on` plays music into a room (an Originate template).'),
  stream: originateTemplate.optional().describe('How `stream on` sends a room to Icecast (an Originate template).'),
  /** How `invite` dials: `{number}` is replaced by the digits given. */
  invite: z.strictObject({
    channel: wireSafe.default('PJSIP/{number}'),
    context: wireSafe,
    exten: wireSafe.default('{room}'),
    priority: z.number().int().min(1).default(1),
    callerId: wireSafe.optional(),
    timeoutMs: z.number().int().min(1000).default(30_000),
  }).optional(),
  transferContext: wireSafe.default('default').describe('Default dialplan context for `transfer` when the user gives only an extension.'),
  lobbies: z.record(z.string(), lobby).default({}).describe('Room name → the lobby its callers wait in.'),
}).superRefine((p, ctx) => {
  // Without TLS there is no certificate to accept: the flag would do nothing while looking like it
  // secured something.
  if (p.tlsInsecure && !p.tls) {
    ctx.addIssue({ code: 'custom', path: ['tlsInsecure'], message: 'only applies to TLS: set tls: true as well (AMI over TLS, usually port 5039), or remove tlsInsecure' });
  }
});

export const sensorSchema = z.strictObject({
  id: nonEmpty.regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore').describe('The sensor\'s name in the bot (`listen call <ref> <sensor>`).'),
  host: nonEmpty.default('127.0.0.1').describe('The sensor\'s manager host (it never faces a browser).'),
  port: port.default(5029).describe('The sensor\'s manager port.'),
  socketPath: nonEmpty.optional().describe('A unix socket path (`managersocket`); never encrypted. Overrides host/port.'),
  aesKey: nonEmpty.optional().describe('Base64, as `manager_aes_key` in the sensor\'s config.'),
  aesIv: nonEmpty.optional().describe('Base64, as `manager_aes_iv`.'),
  aesCipher: z.string().regex(/^aes-(128|192|256)-cbc$/, 'use aes-128-cbc, aes-192-cbc or aes-256-cbc').default('aes-128-cbc').describe('AES cipher of the manager API, as in the sensor config.'),
  timeoutMs: z.number().int().min(100).default(5000).describe('How long one sensor command may take.'),
}).superRefine((s, ctx) => {
  if ((s.aesKey === undefined) !== (s.aesIv === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['aesKey'], message: 'set both aesKey and aesIv (base64, from manager_aes_key and manager_aes_iv), or neither' });
    return;
  }
  if (s.aesKey === undefined || s.aesIv === undefined || s.socketPath !== undefined) return;
  try {
    aesSettingsFromBase64(s.aesCipher as AesCipherName, s.aesKey, s.aesIv);
  } catch (err) {
    if (!(err instanceof AesKeyMaterialError)) throw err;
    const field = err.message.startsWith('aesIv') ? 'aesIv' : 'aesKey';
    const copy = field === 'aesIv' ? 'manager_aes_iv' : 'manager_aes_key';
    ctx.addIssue({ code: 'custom', path: [field], message: `${err.message}: copy ${copy} from the sensor's voipmonitor.conf (base64), or pick the aesCipher it uses` });
  }
});

const roleName = z.enum(['viewer', 'listener', 'moderator', 'admin']);

export const roleGrantSchema = z.strictObject({
  role: roleName,
  users: z.array(nonEmpty).default([]).describe('`platform:userId`, e.g. `slack:U123ABC`, or `*` for everyone on any platform.'),
  groups: z.array(nonEmpty).default([]).describe('`platform:groupId`, e.g. `slack:S0123` (user group) or `discord:987654` (role).'),
  pbx: nonEmpty.default('*').describe('Glob on the PBX id (`*` by default).'),
  rooms: nonEmpty.default('*').describe('Glob on the room name (`*` by default).'),
});

export const slackSchema = z.strictObject({
  mode: z.enum(['socket', 'http']).default('socket'),
  botToken: nonEmpty.regex(/^xoxb-/, 'a bot token starts with xoxb- (OAuth & Permissions page)'),
  appToken: nonEmpty.regex(/^xapp-/, 'an app-level token starts with xapp- (Basic Information → App-Level Tokens)').optional(),
  signingSecret: nonEmpty.optional(),
  port: listenPort.default(3000).describe('HTTP mode: the port Slack sends requests to.'),
  httpHost: nonEmpty.optional().describe('HTTP mode: the interface to listen on (default: all; use 127.0.0.1 behind a reverse proxy).'),
  apiUrl: z.string().url().optional().describe('Override the Web API base URL (tests point it at a local fake).'),
  alertChannel: nonEmpty.optional().describe('Channel that receives alerts when no subscription says otherwise.'),
}).superRefine((s, ctx) => {
  if (s.mode === 'socket' && s.appToken === undefined) {
    ctx.addIssue({ code: 'custom', path: ['appToken'], message: 'Socket Mode needs an app-level token (SLACK_APP_TOKEN, xapp-...)' });
  }
  if (s.mode === 'http' && s.signingSecret === undefined) {
    ctx.addIssue({ code: 'custom', path: ['signingSecret'], message: 'HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)' });
  }
});

/**
 * A second entry with an id already used would silently hide the first (lookups go by id), so
 * each duplicate is refused at its own index.
 */
function refuseDuplicateIds(entries: unknown, key: string, what: string, ctx: z.RefinementCtx): void {
  if (!Array.isArray(entries)) return;
  const firstIndex = new Map<string, number>();
  entries.forEach((entry: unknown, index) => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
      return;
    }
    ctx.addIssue({
      code: 'custom',
      path: [key, index, 'id'],
      message: `duplicate id "${id}", already used by ${key}[${first}]: give each ${what} its own id (commands and role grants name ${what}s by id)`,
    });
  });
}

export const discordSchema = z.strictObject({
  token: nonEmpty.describe('Bot token (Developer Portal → Bot → Reset Token).'),
  applicationId: z.string().regex(/^\d{17,20}$/, 'the application id is the 17-20 digit number on the General Information page').describe('Application id (Developer Portal → General Information), a numeric snowflake.'),
  guildId: z.string().regex(/^\d{17,20}$/, 'a guild id is a 17-20 digit number (right-click the server → Copy Server ID)').optional().describe('Register /meetme in this guild only (instant); without it, globally.'),
  apiUrl: z.string().url().optional().describe('Override the REST base URL (a proxy, or the tests\' fake); the gateway URL comes from its GET /gateway/bot.'),
});

export const configSchema = z.strictObject({
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  dataDir: nonEmpty.default('./data').describe('Where the SQLite store and generated keys live.'),
  pbxs: z.array(pbxSchema).default([]).describe('Real PBXs. None: the embedded PBX runs instead.'),
  sensors: z.array(sensorSchema).default([]).describe('Real VoIPmonitor sensors. None: the embedded sensor runs instead.'),
  embedded: z.strictObject({
    pbx: z.boolean().optional().describe('Run the embedded PBX even when real ones are configured (demo, tests).'),
    dialect: z.enum(['confbridge', 'meetme', 'meetme-legacy']).default('confbridge'),
    demo: z.boolean().default(true).describe('Keep demo rooms alive (people join, talk, leave).'),
    sensor: z.boolean().optional().describe('Run the embedded sensor even when real ones are configured.'),
  }).default({ dialect: 'confbridge', demo: true }),
  listen: z.strictObject({
    host: nonEmpty.default('127.0.0.1').describe('Where the player page listens. Keep it on loopback behind a reverse proxy in production.'),
    port: listenPort.default(8088).describe('Port of the player page.'),
    publicBaseUrl: z.string().url().optional().describe('The URL users open, e.g. https://bot.example.com. Defaults to http://host:port.'),
    signingKey: z.string().min(32, 'use at least 32 characters (openssl rand -base64 32)').optional().describe('Base64 or hex HMAC key, at least 32 bytes. Generated and kept in the store when absent.'),
    linkTtlSec: z.number().int().min(30).max(86_400).default(600).describe('How long a listen link works, in seconds.'),
    singleUse: z.boolean().default(false).describe('A listen link plays once; opening it again is refused.'),
    pollMs: z.number().int().min(20).max(1000).default(50).describe('How often the audio hub polls the sensor for audio, in ms.'),
    enabled: z.boolean().default(true).describe('Serve live listening at all.'),
    allowedOrigins: z.array(z.string().refine((o) => URL.canParse(o) && new URL(o).origin === o, 'an origin: scheme://host[:port], no path or trailing slash')).default([]).describe('Page origins, besides publicBaseUrl\'s, whose pages may open the audio WebSocket (a reverse proxy\'s other names).'),
  }).default({ host: '127.0.0.1', port: 8088, linkTtlSec: 600, singleUse: false, pollMs: 50, enabled: true, allowedOrigins: [] }),
  adapters: z.array(z.enum(['shell', 'slack', 'discord'])).optional().describe('Chat adapters to start. Default: shell, plus slack when Slack tokens are given.'),
  slack: slackSchema.optional().describe('Slack app settings (docs/slack.md).'),
  discord: discordSchema.optional(),
  roles: z.array(roleGrantSchema).default([]),
  store: z.strictObject({
    auditRetentionDays: z.number().int().min(1).default(90).describe('Audit records and alert acknowledgements older than this are deleted (at start and daily).'),
  }).default({ auditRetentionDays: 90 }),
  status: z.strictObject({
    keepEndedSec: z.number().int().min(0).default(3600).describe('Keep an ended room\'s final summary this long before forgetting it.'),
  }).default({ keepEndedSec: 3600 }),
  /** Line quality from the sensors (docs/quality.md). */
  quality: z.strictObject({
    pollIntervalSec: z.number().int().min(1).max(300).default(5).describe('How often the sensors\' call lists are read for line quality while a watched room has SIP participants, in seconds.'),
  }).default({ pollIntervalSec: 5 }),
  /** Hangup alerts for on-call staff: rules (docs/alerts.md). Admins add more from chat. */
  alerts: z.strictObject({
    rules: alertRulesSchema.default([]),
  }).default({ rules: [] }),
  /** The operations listener: /livez, /readyz and /metrics. Loopback by default; it must not face users. */
  ops: z.strictObject({
    enabled: z.boolean().default(true).describe('Serve /livez, /readyz and /metrics.'),
    host: nonEmpty.default('127.0.0.1'),
    port: listenPort.default(9464).describe('Port of the ops listener.'),
  }).default({ enabled: true, host: '127.0.0.1', port: 9464 }),
}).superRefine((c, ctx) => {
  refuseDuplicateIds(c.pbxs, 'pbxs', 'PBX', ctx);
  refuseDuplicateIds(c.sensors, 'sensors', 'sensor', ctx);
  if (Array.isArray(c.adapters) && c.adapters.includes('slack') && c.slack === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['adapters'],
      message: 'slack is listed but Slack is not configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (or a slack: section), or remove slack from the list',
    });
  }
  // Run even when other keys are wrong, so one pass lists every problem; the value may then be
  // partly unparsed, hence the shape checks above.
}, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

export type Config = z.infer<typeof configSchema>;
export type PbxConfig = z.infer<typeof pbxSchema>;
export type SensorConfig = z.infer<typeof sensorSchema>;
export type RoleGrant = z.infer<typeof roleGrantSchema>;
export type SlackConfig = z.infer<typeof slackSchema>;
export type DiscordConfig = z.infer<typeof discordSchema>;
export type RoleName = z.infer<typeof roleName>;

export class ConfigError extends BotError {
  readonly code = 'config_invalid' as const;
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** A string where a number belongs: from YAML that is `port: "5038"`, quoted by habit. */
function describeTypeIssue(issue: z.core.$ZodIssueInvalidType): string | undefined {
  if (issue.input === undefined) return 'is required';
  if (issue.expected === 'number' && typeof issue.input === 'string') {
    return /^\s*-?\d+(\.\d+)?\s*$/.test(issue.input) ? 'must be a number, write it without quotes' : 'must be a number';
  }
  if (issue.expected === 'boolean' && typeof issue.input === 'string') {
    return /^\s*(true|false)\s*$/i.test(issue.input) ? 'must be true or false, written without quotes' : 'must be true or false';
  }
  return undefined;
}

/** Zod's generic wording ("Too small: expected number to be >=1") as what to write instead. */
function describeRangeIssue(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'too_small' && issue.origin === 'number') return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && issue.origin === 'number') return `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
  if (issue.code === 'invalid_value') return `must be one of: ${issue.values.map(String).join(', ')}`;
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  let fix = describeRangeIssue(issue) ?? issue.message;
  if (issue.code === 'invalid_type') fix = describeTypeIssue(issue) ?? fix;
  if (issue.code === 'unrecognized_keys') fix = `unknown key(s) ${issue.keys.join(', ')}: check the spelling against README.md`;
  return `${describeKey(issue.path)}: ${fix}`;
}

/** Validates a raw object; throws ConfigError naming each bad key and how to fix it. */
export function parseConfig(raw: unknown): Config {
  // reportInput lets a message tell a quoted number from a wrong kind of value; inputs are never printed.
  const result = configSchema.safeParse(raw, { reportInput: true });
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
