import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy between the bot and a peer (the embedded PBX or sensor) that keeps every byte
 * the bot sends: what the peer really receives on its socket, whatever the bot's code does before.
 */
export interface ByteTap {
  readonly host: string;
  readonly port: number;
  /** Everything the bot sent since the last `reset`, all connections in order. */
  sent(): Buffer;
  reset(): void;
  close(): Promise<void>;
}

export async function startByteTap(target: { readonly host: string; readonly port: number }): Promise<ByteTap> {
  let chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      chunks.push(Buffer.from(chunk));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('tap has no address');
  return {
    host: '127.0.0.1',
    port: address.port,
    sent: () => Buffer.concat(chunks),
    reset: () => { chunks = []; },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
