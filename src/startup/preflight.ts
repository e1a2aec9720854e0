import { readFileSync, statSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { describeKey, type Config } from '../config.ts';
import type { StartupError } from '../errors.ts';
import { DataDirNotDirectoryError } from '../store/errors.ts';
import { AdapterStartError, ListenAddressError, ListenPortError, SlackTokenRefusedError, TlsCaFileError } from './errors.ts';

/**
 * Checks that need the machine but start nothing: the data directory, TLS CA files, the player
 * page's host name. Run before anything opens, and by `meetme-bot check-config`.
 */

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

function checkDataDir(dir: string): StartupError | undefined {
  try {
    return statSync(dir).isDirectory() ? undefined : new DataDirNotDirectoryError(dir);
  } catch (err) {
    // Missing is fine (it is created); a file on the way (`data.txt/sub`) is not.
    return errnoOf(err) === 'ENOTDIR' ? new DataDirNotDirectoryError(dir, err) : undefined;
  }
}

function checkCaFiles(config: Config): StartupError[] {
  const problems: StartupError[] = [];
  config.pbxs.forEach((pbx, index) => {
    if (!pbx.tls || pbx.tlsInsecure || pbx.tlsCaFile === undefined) return;
    try {
      readFileSync(pbx.tlsCaFile);
    } catch (err) {
      problems.push(new TlsCaFileError(describeKey(['pbxs', index, 'tlsCaFile']), pbx.tlsCaFile, errnoOf(err)));
    }
  });
  return problems;
}

const LISTEN_HOST_KEY = describeKey(['listen', 'host']);

async function checkListenHost(config: Config): Promise<StartupError | undefined> {
  if (!config.listen.enabled) return undefined;
  try {
    await lookup(config.listen.host);
    return undefined;
  } catch (err) {
    return new ListenAddressError(LISTEN_HOST_KEY, config.listen.host, `${errnoOf(err)}: the name does not resolve`);
  }
}

/** Every problem found, in config order; empty when the bot can try to start. */
export async function preflight(config: Config): Promise<StartupError[]> {
  const problems: StartupError[] = [];
  const dataDir = checkDataDir(config.dataDir);
  if (dataDir) problems.push(dataDir);
  problems.push(...checkCaFiles(config));
  const host = await checkListenHost(config);
  if (host) problems.push(host);
  return problems;
}

/** The player page's listen() failure, as the operator's fix. */
export function listenFailure(config: Config, err: unknown): Error {
  const code = errnoOf(err);
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    return new ListenPortError(describeKey(['listen', 'port']), config.listen.port, code === 'EADDRINUSE' ? 'in use by another program' : 'permission denied');
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ListenAddressError(LISTEN_HOST_KEY, config.listen.host, code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : 'the name does not resolve');
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** What Slack answers for a token it will not take. */
const REFUSED_TOKEN = /\b(invalid_auth|not_authed|token_revoked|token_expired|account_inactive|not_allowed_token_type)\b/;

/** A chat adapter's start() failure, as the operator's fix: a refused Slack token names its key. */
export function adapterStartFailure(adapter: string, err: unknown): StartupError {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  const text = `${typeof data?.error === 'string' ? data.error : ''} ${err instanceof Error ? err.message : String(err)}`;
  const refused = REFUSED_TOKEN.exec(text)?.[1];
  if (adapter === 'slack' && refused !== undefined) {
    // auth.test checks the bot token; apps.connections.open (Socket Mode) the app token.
    const key = /apps\.connections\.open/.test(text) ? describeKey(['slack', 'appToken'])
      : /auth\.test/.test(text) ? describeKey(['slack', 'botToken'])
        : `${describeKey(['slack', 'botToken'])} or ${describeKey(['slack', 'appToken'])}`;
    return new SlackTokenRefusedError(key, refused);
  }
  return new AdapterStartError(adapter, err instanceof Error ? err.message : String(err), err);
}
