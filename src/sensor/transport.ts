import { connect, type Socket } from 'node:net';

/** Where a sensor's manager listens: TCP, or the local `managersocket`. */
export type SensorAddress = { readonly host: string; readonly port: number } | { readonly path: string };

export type ExchangeFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly detail: string; readonly cause: unknown };

export class ExchangeError extends Error {
  constructor(readonly failure: ExchangeFailure) {
    super(failure.kind === 'timeout' ? 'timeout' : failure.detail);
  }
}

/**
 * One manager command: connect, send, read until the sensor closes. The protocol has no reply framing,
 * so EOF is the only end of a reply; the timeout covers the whole exchange.
 */
export function exchange(address: SensorAddress, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket: Socket = 'path' in address ? connect({ path: address.path }) : connect({ host: address.host, port: address.port });
    const finish = (err: ExchangeError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(() => finish(new ExchangeError({ kind: 'timeout' })), timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish(new ExchangeError({ kind: 'network', detail: err.code ?? err.message, cause: err }));
    });
  });
}
