import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './log.ts';

/** Composition root: config → store → PBX links → sensors → core → adapters → http. */
export async function runFromCli(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.userMessage}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  log.info({ component: 'main' }, 'meetme-bot starting');
}
