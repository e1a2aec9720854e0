import { connect, type Socket } from 'node:net';
import { systemClock, type Clock } from '../core/clock.ts';

/** Where a sensor's manager listens: TCP, or the local `managersocket`. */
export type SensorAddress = { readonly host: string; readonly port: number } | { readonly path: string };

export type ExchangeFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'too_large'; readonly limit: number }
  | { readonly kind: 'network'; readonly detail: string; readonly cause: unknown };

export class ExchangeError extends Error {
  constructor(readonly failure: ExchangeFailure) {
    super(failure.kind === 'network' ? failure.detail : failure.kind === 'timeout' ? 'timeout' : `reply exceeds ${failure.limit} bytes`);
  }
}

/**
 * One manager command: connect, send, read until the sensor closes. The protocol has no reply framing,
 * so EOF is the only end of a reply; the timeout covers the whole exchange. A reply longer than
 * `maxReplyBytes` is abandoned: a broken or hostile peer must not make the bot buffer without limit.
 */
export function exchange(address: SensorAddress, request: Buffer, timeoutMs: number, maxReplyBytes: number, clock: Clock = systemClock): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const socket: Socket = 'path' in address ? connect({ path: address.path }) : connect({ host: address.host, port: address.port });
    const finish = (err: ExchangeError | undefined): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    const timer = clock.setTimeout(() => finish(new ExchangeError({ kind: 'timeout' })), timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxReplyBytes) return finish(new ExchangeError({ kind: 'too_large', limit: maxReplyBytes }));
      chunks.push(chunk);
    });
    socket.on('end', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish(new ExchangeError({ kind: 'network', detail: err.code ?? err.message, cause: err }));
    });
  });
}
