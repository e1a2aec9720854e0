import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { redactUrl } from '../store/redis-connection.ts';
import { preflight } from './preflight.ts';

/**
 * `meetme-bot check-config`: loads the config file and environment as a start would, runs the
 * checks that start nothing (data dir, CA files, listen host), and prints every problem with its
 * key and fix. Returns the exit code: 0 when the bot can start, 2 when something must be fixed.
 */

export interface CheckConfigOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly write: (text: string) => void;
}

function sourceOf(env: CheckConfigOptions['env']): string {
  const file = env['MEETME_CONFIG'] ?? (existsSync('meetme-bot.yml') ? 'meetme-bot.yml' : undefined);
  return file === undefined ? 'the environment (no config file)' : `${file} and the environment`;
}

function describeRun(config: Config): string {
  const pbxs = config.pbxs.length === 0 ? 'the embedded demo PBX' : config.pbxs.map((p) => p.id).join(', ');
  const sensors = config.sensors.length === 0 ? 'the embedded sensor' : config.sensors.map((s) => s.id).join(', ');
  return `PBXs: ${pbxs}; sensors: ${sensors}; data dir: ${config.dataDir}; store: ${describeStore(config.store)}`;
}

/** Which store the bot would open; the Redis URL without its password. */
function describeStore(store: Config['store']): string {
  if (store.kind === 'redis') return `redis at ${redactUrl(store.redisUrl ?? '')} (key prefix ${store.redisPrefix}; not contacted by this check)`;
  return store.kind === 'memory' ? 'memory (nothing kept across restarts)' : 'sqlite in the data dir';
}

export async function checkConfig(options: CheckConfigOptions): Promise<number> {
  const source = sourceOf(options.env);
  let config: Config;
  try {
    config = loadConfig({ env: options.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    options.write(`Checked ${source}: ${err.problems.length} problem(s).\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
    return 2;
  }
  const problems = await preflight(config);
  if (problems.length > 0) {
    options.write(`Checked ${source}: ${problems.length} problem(s).\n${problems.map((p) => `  - ${p.userMessage.replace(/\n/g, '\n    ')}\n`).join('')}`);
    return 2;
  }
  options.write(`Checked ${source}: OK. ${describeRun(config)}.\n`);
  return 0;
}
