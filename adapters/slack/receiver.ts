import { HTTPReceiver, SocketModeReceiver, type Receiver, type webApi } from '@slack/bolt';
import { PlatformError } from '../../src/core/adapter-errors.ts';
import type { SlackConfig } from '../../src/config.ts';
import type { boltLogger } from './bolt-logger.ts';

/**
 * How the app talks to Slack: the Web API client's options and the receiver (Socket Mode or HTTP).
 * The bot token's client retries nothing itself (SlackWebApi retries, and the status scheduler paces
 * edits); the Socket Mode client keeps the SDK's own retries for `apps.connections.open`, since one
 * 503 there during a reconnect would otherwise end the reconnect for good.
 */

export interface ReceiverOptions {
  /**
   * Socket Mode: how long to wait for a pong; the SDK also waits this long (times the failures in a
   * row) before reconnecting a dropped socket. Default: the SDK's (5 s).
   */
  readonly clientPingTimeoutMs?: number;
}

function apiUrlOf(config: SlackConfig): string | undefined {
  if (config.apiUrl === undefined) return undefined;
  return config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
}

export function webClientOptions(config: SlackConfig, timeoutMs: number): webApi.WebClientOptions {
  const options: webApi.WebClientOptions = {
    // SlackWebApi retries transient failures itself and the status scheduler owns edit pacing, so
    // the SDK must surface every failure, 429s included, at once.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
  };
  const apiUrl = apiUrlOf(config);
  if (apiUrl !== undefined) options.slackApiUrl = apiUrl;
  return options;
}

/**
 * Options for the Socket Mode client's own WebClient (apps.connections.open). No `retryConfig`: the
 * SDK then sets its reconnect policy (many retries, waiting out 429s and 5xx). A fresh object, as
 * the SDK writes that policy into the object it is given.
 */
function socketClientOptions(config: SlackConfig, timeoutMs: number): webApi.WebClientOptions {
  const options: webApi.WebClientOptions = { timeout: timeoutMs };
  const apiUrl = apiUrlOf(config);
  if (apiUrl !== undefined) options.slackApiUrl = apiUrl;
  return options;
}

export function buildReceiver(
  config: SlackConfig, logger: ReturnType<typeof boltLogger>, timeoutMs: number, options: ReceiverOptions,
): Receiver {
  if (config.mode === 'http') {
    if (config.signingSecret === undefined) throw new PlatformError('Slack', 'HTTP mode needs a signing secret', false);
    return new HTTPReceiver({ signingSecret: config.signingSecret, port: config.port, logger, endpoints: '/slack/events' });
  }
  if (config.appToken === undefined) throw new PlatformError('Slack', 'Socket Mode needs an app-level token', false);
  return new SocketModeReceiver({
    appToken: config.appToken,
    logger,
    ...(options.clientPingTimeoutMs !== undefined ? { clientPingTimeout: options.clientPingTimeoutMs } : {}),
    installerOptions: { clientOptions: socketClientOptions(config, timeoutMs) },
  });
}

/**
 * Closes the Socket Mode connection for good. The SDK's `disconnect()` does not stop a reconnect
 * already under way (one waiting on `apps.connections.open`): that reconnect would open a new socket
 * after the stop, and the bot would keep listening. So any connection made after the stop is closed
 * as soon as it is up.
 *
 * Each reconnect attempt waits on `disconnected` to reject its own promise, which the SDK never
 * handles: one whose socket is open but not yet greeted, or one that failed, is still waiting, and
 * disconnecting would reject it (an unhandled rejection). Those waits are dropped first; nothing
 * else listens for `disconnected`, and `disconnect()` adds its own after.
 */
export async function stopSocketMode(receiver: SocketModeReceiver): Promise<void> {
  const client = receiver.client;
  client.on('connected', () => {
    void client.disconnect();
  });
  client.removeAllListeners('disconnected');
  await client.disconnect();
}
