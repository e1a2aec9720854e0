import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pino, type DestinationStream } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { StartupError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { logUnhandledRejections, startBot } from './main.ts';
import { checkConfig } from './startup/check-config.ts';
import { opsListenFailure } from './startup/errors.ts';
import { BotMetrics } from './ops/metrics.ts';
import { startOpsServer, type OpsServer } from './ops/server.ts';

/**
 * The `meetme-bot` command (`npm start`): `meetme-bot` runs the bot, `meetme-bot check-config`
 * validates the configuration without starting anything. The one place where a start-up failure
 * becomes a message and an exit code: 2 for what the operator must fix (config, files, tokens),
 * 1 for a bug.
 */

const USAGE = 'Usage: meetme-bot [check-config]\n  (no argument)  run the bot\n  check-config    validate the config file and environment, start nothing; exit 0 when fine, 2 otherwise\n';

/**
 * Where logs go: stderr, except when the shell adapter owns an interactive terminal, where JSON lines
 * would scribble over the prompt; then they go to `<dataDir>/meetme-bot.log` (MEETME_LOG_FILE overrides).
 */
function logDestination(config: Config): DestinationStream {
  const explicit = process.env['MEETME_LOG_FILE'];
  const shellOnTerminal = (config.adapters ?? ['shell']).includes('shell') && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (explicit === undefined && !shellOnTerminal) return pino.destination(2);
  const file = explicit ?? join(config.dataDir, 'meetme-bot.log');
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch {
    // An unusable data dir is reported by the start-up checks, with its fix; until then, stderr.
    return pino.destination(2);
  }
  process.stderr.write(`Logs: ${file}\n`);
  return pino.destination({ dest: file, mkdir: true, sync: false });
}

/** Prints why the bot did not start; returns the exit code. */
function reportStartFailure(err: unknown, log: Logger | undefined): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.userMessage}\n`);
    return 2;
  }
  // Not logged as well: without a terminal the log is stderr too, and the message says it all.
  if (err instanceof StartupError) {
    process.stderr.write(`meetme-bot cannot start: ${err.userMessage}\n  (error code ${err.code})\n`);
    return 2;
  }
  log?.error({ component: 'main', err }, 'start-up failed');
  const reason = err instanceof Error ? err.message : String(err);
  process.stderr.write(`meetme-bot could not start: ${reason}\n  This looks like a bug; the log has the details.\n`);
  return 1;
}

/** Ends the process even if a half-started client still holds a socket or timer. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

const SHUTDOWN_DEADLINE_MS = 10_000;

export async function runFromCli(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const [command, ...rest] = args;
  if (command === 'check-config' && rest.length === 0) {
    process.exitCode = await checkConfig({ env: process.env, write: (text) => process.stdout.write(text) });
    return;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command !== undefined) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }

  let log: Logger | undefined;
  let bot: Awaited<ReturnType<typeof startBot>>;
  let opsServer: OpsServer | undefined;
  try {
    const config = loadConfig();
    // Logs go to stderr so they never interleave with the shell's prompt on stdout.
    log = createLogger({ level: config.logLevel, destination: logDestination(config) });
    logUnhandledRejections(process, log);
    bot = await startBot(config, { logger: log, metrics: new BotMetrics() });
    if (config.ops.enabled) {
      const running = bot;
      const ops = await startOpsServer({ host: config.ops.host, port: config.ops.port, metrics: running.metrics, checks: () => running.readiness(), log: log.child({ component: 'ops' }) })
        .catch(async (err: unknown) => {
          await running.stop();
          throw opsListenFailure(config.ops.host, config.ops.port, err);
        });
      log.info({ component: 'ops', address: ops.url }, 'ops listener: /livez /readyz /metrics');
      opsServer = ops;
    }
  } catch (err) {
    exitSoon(reportStartFailure(err, log));
    return;
  }
  const running = bot;
  if (!running.shell) process.stdout.write(`${running.banner}\n`);

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // A clean stop flushes status edits and closes sockets; if something hangs, a service manager
    // must still see the process end, so give up after a bound and exit.
    const deadline = setTimeout(() => {
      log?.error({ component: 'main' }, 'shutdown did not finish within 10 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await running.stop();
    await opsServer?.close();
  };
  const onSignal = (): void => {
    // A second Ctrl-C or SIGTERM while stopping means "now".
    if (stopping) process.exit(130);
    void shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The shell ending (quit, Ctrl-D) stops the bot only when it is the sole chat adapter; next to
  // Slack it just closes, and the process runs until a signal.
  if (running.shell) {
    await running.shell.closed;
    if (running.adapters.size === 1) await shutdown();
  }
}
