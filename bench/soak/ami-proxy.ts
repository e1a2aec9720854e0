import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A transparent TCP relay between the bot and the embedded PBX on 127.0.0.1, so the soak can cut
 * the AMI link (both sockets destroyed, as a broken network would) without touching the PBX.
 */
export interface AmiProxy {
  readonly port: number;
  /** Destroys every open connection; the bot reconnects through the proxy. */
  drop(): number;
  close(): Promise<void>;
}

export async function startAmiProxy(target: { host: string; port: number }): Promise<AmiProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    drop(): number {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
