import { connect, type Socket } from 'node:net';
import type { AmiMessage } from '../../../src/ami/message.ts';
import { AmiParser, serializeAction } from '../../../src/ami/protocol.ts';
import type { AmiFieldValue } from '../../../src/ami/types.ts';

/**
 * A bare AMI peer for tests: a TCP socket and the AmiParser, nothing of the AMI client. Keeps every
 * message it received; `waitFor` looks at those first, then at new ones.
 */
export class RawAmi {
  readonly messages: AmiMessage[] = [];
  banner = '';
  readonly closed: Promise<void>;
  private readonly parser = new AmiParser();
  private waiters: { pred: (m: AmiMessage) => boolean; resolve: (m: AmiMessage) => void }[] = [];
  private seq = 0;

  private constructor(private readonly socket: Socket, private readonly name: string) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(port: number, name = 't'): Promise<RawAmi> {
    const socket = connect({ host: '127.0.0.1', port });
    const ami = new RawAmi(socket, name);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => {
        for (const out of ami.parser.push(chunk)) {
          if (out.kind === 'banner') {
            ami.banner = out.line;
            resolve();
          } else if (out.kind === 'message') ami.received(out.message);
        }
      });
    });
    socket.on('error', () => undefined);
    return ami;
  }

  /** Connects and logs in with a plain secret. */
  static async login(port: number, fields: Record<string, string> = {}): Promise<RawAmi> {
    const ami = await RawAmi.connect(port);
    const res = await ami.action('Login', { Username: 'bot', Secret: 'botsecret', ...fields });
    if (res.response !== 'Success') throw new Error(`login failed: ${res.get('Message') ?? ''}`);
    return ami;
  }

  private received(m: AmiMessage): void {
    this.messages.push(m);
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.pred(m)) w.resolve(m);
      else still.push(w);
    }
    this.waiters = still;
  }

  send(action: string, fields: Record<string, AmiFieldValue> = {}): string {
    const id = `${this.name}-${++this.seq}`;
    this.socket.write(serializeAction({ action, fields }, id));
    return id;
  }

  waitFor(pred: (m: AmiMessage) => boolean, timeoutMs = 5000): Promise<AmiMessage> {
    const found = this.messages.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an AMI message')), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  event(name: string, pred: (m: AmiMessage) => boolean = () => true): Promise<AmiMessage> {
    return this.waitFor((m) => m.event === name && pred(m));
  }

  async action(action: string, fields: Record<string, AmiFieldValue> = {}): Promise<AmiMessage> {
    const id = this.send(action, fields);
    return this.waitFor((m) => m.response !== undefined && m.actionId === id);
  }

  /** An event-list action: its answer, and the list items once `EventList: Complete` arrives. */
  async list(action: string, fields: Record<string, AmiFieldValue> = {}): Promise<{ response: AmiMessage; items: AmiMessage[]; complete?: AmiMessage }> {
    const id = this.send(action, fields);
    const response = await this.waitFor((m) => m.response !== undefined && m.actionId === id);
    if (response.response !== 'Success') return { response, items: [] };
    const complete = await this.waitFor((m) => m.actionId === id && m.get('EventList') === 'Complete');
    const items = this.messages.filter((m) => m.actionId === id && m.event !== undefined && m !== complete);
    return { response, items, complete };
  }

  events(name: string): AmiMessage[] {
    return this.messages.filter((m) => m.event === name);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function keys(m: AmiMessage): string[] {
  return m.headers.map(([k]) => k);
}
