import { StartupError } from '../errors.ts';

/**
 * Start-up failures found after the config parsed: each names the config key or file to fix and
 * how. The CLI prints the message and exits 2 (see src/cli.ts). Store and data-dir failures live
 * in src/store/errors.ts, next to the code that finds them.
 */

/** A PBX's `tlsCaFile` cannot be read, so no TLS connection to it could be verified. */
export class TlsCaFileError extends StartupError {
  readonly code = 'tls_ca_file_unreadable' as const;
  constructor(key: string, file: string, reason: string) {
    super(
      `the CA file ${file} set in ${key} cannot be read (${reason}).`,
      key,
      `point ${key} at the PEM file of the CA that signed the PBX's AMI certificate, readable by the bot's user, or remove it to use the system CAs.`,
    );
  }
}

/** `listen.host` does not resolve or is not an address of this machine. */
export class ListenAddressError extends StartupError {
  readonly code = 'listen_address_unusable' as const;
  constructor(key: string, host: string, reason: string) {
    super(
      `the player page cannot listen on ${host} (${reason}).`,
      key,
      `set ${key} to an address of this machine (127.0.0.1 behind a reverse proxy, 0.0.0.0 for all interfaces), or a name that resolves to one.`,
    );
  }
}

/** `listen.port` is taken by another program or needs privileges the bot lacks. */
export class ListenPortError extends StartupError {
  readonly code = 'listen_port_unavailable' as const;
  constructor(key: string, port: number, reason: string) {
    super(
      `the player page cannot listen on port ${port} (${reason}).`,
      key,
      `set ${key} to a free port above 1023 (0 picks any free one), or stop the program using it.`,
    );
  }
}

/**
 * The link-signing key kept in the store is damaged. Named by the store file, since no config key
 * was involved; replacing it silently would break every link handed out.
 */
export class StoredSigningKeyCorruptError extends StartupError {
  readonly code = 'stored_signing_key_corrupt' as const;
  /** `where`: the store as storeLocation() names it ("the store file ./data/meetme-bot.db"). */
  constructor(where: string, bytes: number) {
    super(
      `the link-signing key saved in ${where} is damaged (${bytes} bytes, at least 32 needed).`,
      where,
      `set listen.signingKey (env LISTEN_SIGNING_KEY, e.g. from \`openssl rand -base64 32\`) to use your own key, or restore ${where} from a backup. Links handed out before stop working either way.`,
    );
  }
}

/** Slack refused a token at start (`invalid_auth`, `token_revoked`, ...). */
export class SlackTokenRefusedError extends StartupError {
  readonly code = 'slack_token_refused' as const;
  constructor(key: string, slackError: string) {
    super(
      `Slack refused the token in ${key} (${slackError}).`,
      key,
      `copy the current token from your Slack app's settings (bot token: OAuth & Permissions, xoxb-...; app token: Basic Information → App-Level Tokens, xapp-...) into ${key}, and reinstall the app if it was revoked.`,
    );
  }
}

/** A chat adapter failed to start for a reason other than a refused token. */
export class AdapterStartError extends StartupError {
  readonly code = 'adapter_start_failed' as const;
  constructor(adapter: string, reason: string, cause?: unknown) {
    super(
      `the ${adapter} adapter could not start (${reason}).`,
      `adapters (env MEETME_ADAPTERS)`,
      `check that this machine can reach ${adapter} and that its settings are right (see the log), or leave ${adapter} out of adapters.`,
      cause,
    );
  }
}

/** The ops listener (/livez, /readyz, /metrics) could not bind its address. */
export class OpsListenError extends StartupError {
  readonly code = 'ops_listen_failed' as const;
  constructor(host: string, port: number, reason: string) {
    super(
      `the ops listener cannot listen on ${host}:${port} (${reason}).`,
      'ops.port (env OPS_PORT)',
      'set ops.port (OPS_PORT) to a free port, ops.host (OPS_HOST) to an address of this machine, or ops.enabled: false (OPS_ENABLED=false) to run without it.',
    );
  }
}

export function opsListenFailure(host: string, port: number, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'EADDRINUSE' ? 'in use by another program' : code === 'EACCES' ? 'permission denied' : code ?? 'error';
  return new OpsListenError(host, port, reason);
}
