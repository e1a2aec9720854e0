import { createHash, randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AmiHeader, AmiMessage } from '../../ami/message.ts';
import { AmiParser, serializeMessage } from '../../ami/protocol.ts';
import { writeClassesOf } from '../../ami/permissions.ts';
import type { Logger } from '../../log.ts';
import type { OutMessage } from './actions/reply.ts';
import { fullyBootedEvent } from './events.ts';

export const BANNER = 'Asterisk Call Manager/11.0.0\r\n';

/** What a session needs from the PBX it belongs to. */
/** A manager user; `write` lists its write classes (default: all), as in manager.conf. */
export interface SimUser {
  readonly username: string;
  readonly secret: string;
  readonly write?: readonly string[];
}

export interface SessionHost {
  readonly users: readonly SimUser[];
  readonly authFailureDelayMs: number;
  uptimeSec(): number;
  /** Runs a logged-in session's action; writes the answer through `session.reply` before any event it causes. */
  execute(session: AmiSession, req: AmiMessage): Promise<void>;
  closed(session: AmiSession): void;
}

type EventFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'classes'; classes: ReadonlySet<string> };

/**
 * One manager connection: banner, login (plain or MD5 challenge), the event filter, and one action
 * at a time in arrival order (Asterisk runs a session's actions one after the other, so a slow
 * action holds back the ones behind it).
 */
export class AmiSession {
  private readonly parser = new AmiParser({ expectBanner: false });
  private authenticated = false;
  private user: SimUser | undefined;
  private filter: EventFilter = { kind: 'all' };
  private challenge: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: SessionHost,
    private readonly log: Logger,
  ) {
    socket.write(BANNER);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'session socket error'));
    socket.on('close', () => host.closed(this));
  }

  private onData(chunk: Buffer): void {
    for (const out of this.parser.push(chunk)) {
      if (out.kind !== 'message') continue;
      const msg = out.message;
      this.queue = this.queue.then(() => this.handle(msg)).catch((err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'action failed inside the embedded PBX');
      });
    }
  }

  private async handle(req: AmiMessage): Promise<void> {
    if (this.closing) return;
    const action = req.get('Action')?.trim().toLowerCase();
    const actionId = req.actionId;
    if (action === undefined || action === '') {
      this.reply([{ headers: [['Response', 'Error'], ['Message', 'Missing action in request']] }], actionId);
      return;
    }
    if (action === 'login') return this.login(req);
    if (action === 'challenge') return this.issueChallenge(req);
    if (action === 'logoff') {
      this.reply([{ headers: [['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']] }], actionId);
      this.close();
      return;
    }
    if (!this.authenticated || !this.mayWrite(action)) {
      this.reply([{ headers: [['Response', 'Error'], ['Message', 'Permission denied']] }], actionId);
      return;
    }
    await this.host.execute(this, req);
  }

  /** As Asterisk: an action needs one of its classes in the user's `write`, unless it needs none. */
  private mayWrite(action: string): boolean {
    const write = this.user?.write;
    if (write === undefined || write.includes('all')) return true;
    const needs = writeClassesOf(action);
    return needs.length === 0 || needs.some((c) => write.includes(c));
  }

  private issueChallenge(req: AmiMessage): void {
    if (req.get('AuthType')?.trim().toLowerCase() !== 'md5') {
      this.reply([{ headers: [['Response', 'Error'], ['Message', 'Must specify AuthType']] }], req.actionId);
      return;
    }
    this.challenge ??= String(randomInt(100_000_000, 999_999_999));
    this.reply([{ headers: [['Response', 'Success'], ['Challenge', this.challenge]] }], req.actionId);
  }

  private async login(req: AmiMessage): Promise<void> {
    const user = this.host.users.find((u) => u.username === req.get('Username')?.trim());
    if (!user || !this.credentialsMatch(req, user.secret)) {
      // Asterisk answers a bad login after a pause, then drops the connection.
      await new Promise((resolve) => setTimeout(resolve, this.host.authFailureDelayMs));
      this.reply([{ headers: [['Response', 'Error'], ['Message', 'Authentication failed']] }], req.actionId);
      this.close();
      return;
    }
    this.authenticated = true;
    this.user = user;
    this.filter = parseEventFilter(req.get('Events'));
    this.reply([{ headers: [['Response', 'Success'], ['Message', 'Authentication accepted']] }], req.actionId);
    this.event(fullyBootedEvent(this.host.uptimeSec()));
  }

  private credentialsMatch(req: AmiMessage, secret: string): boolean {
    if (req.get('AuthType')?.trim().toLowerCase() === 'md5') {
      if (this.challenge === undefined) return false;
      const expected = createHash('md5').update(this.challenge + secret).digest('hex');
      return req.get('Key')?.trim().toLowerCase() === expected;
    }
    return req.get('Secret') === secret;
  }

  /** Writes an action's answer, echoing the ActionID where Asterisk puts it. */
  reply(messages: readonly OutMessage[], actionId: string | undefined): void {
    for (const m of messages) {
      const headers = actionId === undefined ? m.headers : insertAt(m.headers, m.actionIdAt ?? 1, ['ActionID', actionId]);
      this.write(headers, m.body);
    }
  }

  /** Delivers an event if this session is logged in and its filter takes it. */
  event(headers: readonly AmiHeader[]): void {
    if (!this.authenticated || this.closing || !this.wants(headers)) return;
    this.write(headers);
  }

  private wants(headers: readonly AmiHeader[]): boolean {
    if (this.filter.kind !== 'classes') return this.filter.kind === 'all';
    const privilege = headers.find(([k]) => k === 'Privilege')?.[1] ?? '';
    const classes = this.filter.classes;
    return classes.has('all') || privilege.split(',').some((c) => c !== 'all' && classes.has(c.trim().toLowerCase()));
  }

  private write(headers: readonly AmiHeader[], body?: readonly string[]): void {
    if (this.closing || this.socket.destroyed) return;
    try {
      this.socket.write(serializeMessage(headers, body));
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'message not sent: unsafe field');
    }
  }

  /** Flushes what was written, then closes the connection. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.end(() => this.socket.destroy());
  }
}

function parseEventFilter(value: string | undefined): EventFilter {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'on' || v === 'yes' || v === 'true') return { kind: 'all' };
  if (v === 'off' || v === 'no' || v === 'false') return { kind: 'none' };
  return { kind: 'classes', classes: new Set(v.split(',').map((c) => c.trim())) };
}

export function insertAt(headers: readonly AmiHeader[], index: number, header: AmiHeader): AmiHeader[] {
  const out = [...headers];
  out.splice(Math.min(index, out.length), 0, header);
  return out;
}
