/**
 * Environment variables over the config file, and how messages name a config key: `pbxs[0].port
 * (env AMI_PORT)`. Kept apart from the schema in config.ts, which uses both.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables and the config key each one sets. */
export const ENV_KEYS: readonly (readonly [env: string, key: string])[] = [
  ['MEETME_LOG_LEVEL', 'logLevel'],
  ['MEETME_DATA_DIR', 'dataDir'],
  ['MEETME_AUDIT_RETENTION_DAYS', 'store.auditRetentionDays'],
  ['MEETME_STORE_KIND', 'store.kind'],
  ['REDIS_URL', 'store.redisUrl'],
  ['MEETME_REDIS_PREFIX', 'store.redisPrefix'],
  ['MEETME_LEASE_TTL_MS', 'store.leaseTtlMs'],
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
  ['LISTEN_ALLOWED_ORIGINS', 'listen.allowedOrigins'],
  ['SLACK_MODE', 'slack.mode'],
  ['SLACK_BOT_TOKEN', 'slack.botToken'],
  ['SLACK_APP_TOKEN', 'slack.appToken'],
  ['SLACK_SIGNING_SECRET', 'slack.signingSecret'],
  ['SLACK_PORT', 'slack.port'],
  ['SLACK_HTTP_HOST', 'slack.httpHost'],
  ['SLACK_ALERT_CHANNEL', 'slack.alertChannel'],
  ['DISCORD_TOKEN', 'discord.token'],
  ['DISCORD_APPLICATION_ID', 'discord.applicationId'],
  ['DISCORD_GUILD_ID', 'discord.guildId'],
  ['DISCORD_API_URL', 'discord.apiUrl'],
  ['OPS_ENABLED', 'ops.enabled'],
  ['OPS_HOST', 'ops.host'],
  ['OPS_PORT', 'ops.port'],
];

const ENV_BY_KEY = new Map<string, string>([...ENV_KEYS.map(([env, key]) => [key, env] as const), ['adapters', 'MEETME_ADAPTERS']]);

/** Keys whose env value is a number or a boolean; every other env value stays a string. */
const NUMERIC_KEYS = new Set(['pbxs.0.port', 'sensors.0.port', 'listen.port', 'listen.linkTtlSec', 'slack.port', 'store.auditRetentionDays', 'ops.port']);
const BOOLEAN_KEYS = new Set(['pbxs.0.tls', 'ops.enabled']);
/** Keys whose env value is a comma-separated list. */
const LIST_KEYS = new Set(['listen.allowedOrigins']);

/** Turns an env string into what the schema expects; a value that does not parse is left for zod to name. */
function coerce(key: string, value: string): string | number | boolean | string[] {
  if (LIST_KEYS.has(key)) return value.split(',').map((s) => s.trim()).filter(Boolean);
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

/** `pbxs[1].id` for the path ['pbxs', 1, 'id'], as people write it in YAML terms. */
function formatKey(path: readonly PropertyKey[]): string {
  let key = '';
  for (const part of path) key += typeof part === 'number' ? `[${part}]` : `${key === '' ? '' : '.'}${String(part)}`;
  return key;
}

/**
 * A config key as messages name it, with the env var that sets it or its nearest parent
 * (`adapters[1]` → MEETME_ADAPTERS): `pbxs[0].port (env AMI_PORT)`.
 */
export function describeKey(path: readonly PropertyKey[]): string {
  const key = formatKey(path) || '(top level)';
  const parts = path.map(String);
  let env: string | undefined;
  for (let n = parts.length; n > 0 && env === undefined; n--) env = ENV_BY_KEY.get(parts.slice(0, n).join('.'));
  return env ? `${key} (env ${env})` : key;
}
