import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Clock } from '../core/clock.ts';
import { AmiDisconnectedError, AmiUnreachableError } from './errors.ts';

/** Opening the TCP (or TLS) connection to one PBX's AMI listener, with a timeout on the injected clock. */

export interface AmiEndpoint {
  readonly pbx: string;
  readonly host: string;
  readonly port: number;
  readonly tls?: boolean | ConnectionOptions;
}

export interface OpeningSocket {
  readonly socket: Socket;
  readonly readyEvent: 'connect' | 'secureConnect';
}

/**
 * Socket errors that mean nothing listens at host:port or the host cannot be reached at all, as
 * opposed to a failure once connected (a TLS certificate refused, a reset).
 */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL',
]);

function errorCode(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function openSocket(to: AmiEndpoint): OpeningSocket {
  const { host, port, tls } = to;
  if (tls === undefined || tls === false) return { socket: tcpConnect({ host, port }), readyEvent: 'connect' };
  const tlsOptions: ConnectionOptions = tls === true ? {} : tls;
  // SNI takes a host name only; Node warns when it is given an IP address.
  const sni = isIP(host) === 0 ? { servername: host } : {};
  return { socket: tlsConnect({ ...sni, ...tlsOptions, host, port }), readyEvent: 'secureConnect' };
}

/**
 * Resolves once the socket is open (TLS: handshake done). Rejects with `ami_unreachable` when nothing
 * could be reached in time, else with `ami_disconnected`.
 */
export function waitForConnect(to: AmiEndpoint, opening: OpeningSocket, clock: Clock, timeoutMs: number): Promise<void> {
  const { socket, readyEvent } = opening;
  const where = `${to.host}:${to.port}`;
  return new Promise<void>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      cleanup();
      reject(new AmiUnreachableError(to.pbx, to.host, to.port, `connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      const code = errorCode(err);
      if (code !== undefined && UNREACHABLE_CODES.has(code)) reject(new AmiUnreachableError(to.pbx, to.host, to.port, err.message, err));
      else reject(new AmiDisconnectedError(to.pbx, `cannot connect to ${where}: ${err.message}`, err));
    };
    const onClose = (): void => {
      cleanup();
      reject(new AmiDisconnectedError(to.pbx, `connection to ${where} closed before it opened`));
    };
    const cleanup = (): void => {
      clock.clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}
