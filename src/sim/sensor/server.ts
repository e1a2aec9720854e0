import { createServer, type Server, type Socket } from 'node:net';
import type { SimCallSource } from '../calls.ts';
import { InternalError } from '../../errors.ts';
import { silentLogger, type Logger } from '../../log.ts';
import {
  aesSettingsFromBase64, decryptRequest, encryptReply, parseEncryptedRequest, type AesSettings,
} from '../../sensor/aes.ts';
import type { SimLinePlan } from './line-sim.ts';
import { SimSensorManager, type SimSensorStats } from './manager.ts';

/**
 * The embedded VoIPmonitor sensor: the manager protocol over TCP, one command per connection, with
 * or without AES, listing the embedded PBX's calls and synthesising their audio at the real pacing.
 */

export interface EmbeddedSensorOptions {
  readonly calls: SimCallSource;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Base64, as `manager_aes_key` / `manager_aes_iv`. When set, plain commands other than getversion get `need aes!`. */
  readonly aes?: { readonly key: string; readonly iv: string };
  readonly now?: () => number;
  readonly endGraceMs?: number;
  /** Voice quality of each call (default: the demo's one degrading line). */
  readonly lines?: SimLinePlan;
  readonly logger?: Logger;
  /** Called as each reply is written (the benchmark times audio from here). */
  readonly onReply?: (command: string, reply: Buffer) => void;
}

export interface EmbeddedSensor {
  readonly host: string;
  readonly port: number;
  stats(): SimSensorStats;
  stop(): Promise<void>;
}

const TERMINATOR = '\r\n\r\n';
/** The real sensor waits this long for a command that does not end in CRLF CRLF. */
const UNTERMINATED_WAIT_MS = 500;
const MAX_REQUEST = 64 * 1024;

export async function startEmbeddedSensor(options: EmbeddedSensorOptions): Promise<EmbeddedSensor> {
  const log = (options.logger ?? silentLogger()).child({ component: 'sim-sensor' });
  const manager = new SimSensorManager({
    calls: options.calls,
    now: options.now ?? Date.now,
    ...(options.endGraceMs === undefined ? {} : { endGraceMs: options.endGraceMs }),
    ...(options.lines === undefined ? {} : { lines: options.lines }),
  });
  const aes: AesSettings | undefined = options.aes ? aesSettingsFromBase64('aes-128-cbc', options.aes.key, options.aes.iv) : undefined;
  const sockets = new Set<Socket>();

  const answer = (socket: Socket, frame: Buffer): void => {
    const encrypted = parseEncryptedRequest(frame);
    let command: string;
    let reply: Buffer;
    if (encrypted) {
      const settings = aes ? { ...aes, cipher: encrypted.cipher } : undefined;
      try {
        command = settings ? decryptRequest(encrypted.body, settings) : '';
        reply = settings ? manager.handle(command) : Buffer.from('command not found\n');
      } catch {
        command = '(undecryptable)';
        reply = Buffer.from('command not found\n');
      }
      if (settings && reply.length > 0) reply = encryptReply(reply, settings);
    } else {
      command = frame.toString('utf8').replace(/\r?\n(\r?\n)?$/, '').trim();
      const verb = command.split(/\s+/)[0];
      reply = aes && verb !== 'getversion' ? Buffer.from('need aes!\n') : manager.handle(command);
    }
    options.onReply?.(command, reply);
    socket.end(reply);
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let done = false;
    let waitTimer: NodeJS.Timeout | undefined;
    const respond = (frame: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(waitTimer);
      answer(socket, frame);
    };
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > MAX_REQUEST) return socket.destroy();
      if (parseEncryptedRequest(buffer)) return respond(buffer);
      const end = buffer.indexOf(TERMINATOR);
      if (end >= 0 && !/^aes-/.test(buffer.subarray(0, 4).toString('latin1'))) return respond(buffer.subarray(0, end));
      clearTimeout(waitTimer);
      waitTimer = setTimeout(() => respond(buffer), UNTERMINATED_WAIT_MS);
    });
    socket.on('end', () => { if (buffer.length > 0) respond(buffer); });
    socket.on('error', (err) => log.debug({ err: err.message }, 'sensor client socket error'));
    socket.on('close', () => { clearTimeout(waitTimer); sockets.delete(socket); });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new InternalError('embedded sensor did not bind a TCP port');
  log.info({ port: address.port, aes: aes !== undefined }, 'embedded sensor listening');

  return {
    host: address.address,
    port: address.port,
    stats: () => manager.stats(),
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
