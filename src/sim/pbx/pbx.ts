import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AmiHeader, AmiMessage } from '../../ami/message.ts';
import { silentLogger, type Logger } from '../../log.ts';
import type { SimCall, SimCallSource } from '../calls.ts';
import { actionTable } from './actions/index.ts';
import { failure, type ActionContext, type ActionHandler, type OutMessage } from './actions/reply.ts';
import { CAUSE_NORMAL_CLEARING } from './causes.ts';
import { DEFAULT_DIAL_OUTCOMES, Dialplan } from './dialplan.ts';
import { shutdownEvent, toAmiEvent } from './events.ts';
import { PbxModel, UNKNOWN, type PbxEvent } from './model.ts';
import { ChannelNamer } from './naming.ts';
import { channelSnapshot, roomSnapshots } from './snapshots.ts';
import { AmiSession, insertAt, type SessionHost, type SimUser } from './session.ts';
import { Switchboard } from './switchboard.ts';
import type {
  ActionBehaviour, CallerSpec, ChannelInfoSnapshot, DialOutcome, EmbeddedPbxOptions, OriginateJoin, PbxDialect, RoomSnapshot, SimChannel,
} from './types.ts';

/**
 * The embedded PBX: a TCP AMI server over a simulated Asterisk, plus the scenario methods that
 * tests and the demo use to make callers join, talk, leave and hang up. One instance is one
 * Asterisk: its own state, dialect and port; several can run in one process.
 */
export interface EmbeddedPbx extends SimCallSource {
  readonly host: string;
  /** The listening port (stays the same across `restart`). */
  readonly port: number;
  readonly dialect: PbxDialect;
  /** A caller dials into `room`: Newchannel, then Join (or a hangup, if the room is locked). */
  join(room: string, caller?: CallerSpec): SimChannel;
  /** The caller leaves the room but stays on the line (sent elsewhere in the dialplan). */
  leave(uniqueid: string): void;
  talk(uniqueid: string, on: boolean): void;
  /** The caller mutes or unmutes themselves from the phone (MeetmeList then says `Muted: By self`). */
  mute(uniqueid: string, on: boolean): void;
  /** Someone locks or unlocks the room at the PBX (CLI, admin DTMF menu): no event, as on Asterisk 22. */
  setLocked(room: string, on: boolean): void;
  /** MeetMe: the caller asks to talk (MeetmeTalkRequest). */
  requestToTalk(uniqueid: string, on: boolean): void;
  /** The caller hangs up: Leave, then Hangup with this cause (default 16) and its text. */
  hangup(uniqueid: string, cause?: number): void;
  /** The channel gets a new name (Rename event), as after a masquerade. */
  rename(uniqueid: string, newName: string): void;
  /** A caller waits for `room` in the room's lobby (another conference, or music on hold). */
  waitInLobby(room: string, caller?: CallerSpec): SimChannel;
  /** Makes an action slow and/or fail; `undefined` restores it. Names are case-insensitive. */
  setActionBehaviour(action: string, behaviour: ActionBehaviour | undefined): void;
  /** Shutdown event, sockets closed, not listening for `downMs`, then back on the same port. Calls are dropped unless `keepCalls`. */
  restart(downMs?: number, opts?: { keepCalls?: boolean }): Promise<void>;
  rooms(): RoomSnapshot[];
  channel(uniqueid: string): ChannelInfoSnapshot | undefined;
  /** The latest AMI events the PBX emitted, for tests (at most `journalLimit`, default 5000; the oldest tenth goes when full). */
  readonly emitted: readonly (readonly AmiHeader[])[];
  /** The latest actions logged-in sessions sent, as received, for tests (like `emitted`). */
  readonly received: readonly (readonly AmiHeader[])[];
  stop(): Promise<void>;
}

const DEFAULT_USERS = [{ username: 'bot', secret: 'botsecret' }] as const;
const JOURNAL_LIMIT = 5000;

class EmbeddedPbxServer implements EmbeddedPbx, SessionHost {
  readonly dialect: PbxDialect;
  readonly host: string;
  port: number;
  readonly users: readonly SimUser[];
  readonly authFailureDelayMs: number;
  private readonly journalLimit: number;
  readonly emitted: (readonly AmiHeader[])[] = [];
  readonly received: (readonly AmiHeader[])[] = [];

  private readonly now: () => number;
  private readonly log: Logger;
  private readonly model: PbxModel;
  private readonly switchboard: Switchboard;
  private readonly actions: ReadonlyMap<string, ActionHandler>;
  private readonly behaviours = new Map<string, ActionBehaviour>();
  private readonly sessions = new Set<AmiSession>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dialOutcomes: Readonly<Record<string, DialOutcome>>;
  private readonly kickPromptMs: number;
  private readonly originateDelayMs: number;
  private readonly originateJoin: OriginateJoin;
  private server: Server | undefined;
  private startedAt: number;
  /** While an action runs, the events it causes wait here until its answer is written. */
  private held: (readonly AmiHeader[])[] | undefined;
  private stopped = false;

  constructor(opts: EmbeddedPbxOptions) {
    this.dialect = opts.dialect;
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.users = opts.users ?? DEFAULT_USERS;
    this.authFailureDelayMs = opts.authFailureDelayMs ?? 20;
    this.journalLimit = opts.journalLimit ?? JOURNAL_LIMIT;
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? silentLogger()).child({ component: 'sim-pbx', dialect: opts.dialect });
    this.startedAt = this.now();
    this.dialOutcomes = { ...DEFAULT_DIAL_OUTCOMES, ...opts.dialOutcomes };
    this.kickPromptMs = opts.kickPromptMs ?? 2000;
    this.originateDelayMs = opts.originateDelayMs ?? 5;
    this.originateJoin = opts.originateJoin ?? { afterResponseMs: 0 };
    this.model = new PbxModel(this.now, (ev) => this.onModelEvent(ev));
    this.switchboard = new Switchboard(
      this.model, new ChannelNamer(this.now), new Dialplan(opts.dialplan, opts.lobbies), this.dialect,
      opts.callIdGenerator ?? randomUUID,
    );
    this.actions = actionTable(this.dialect, opts.alsoLoaded);
  }

  async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
    this.server = server;
    this.log.info({ host: this.host, port: this.port }, 'embedded PBX listening');
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    this.sessions.add(new AmiSession(socket, this, this.log));
  }

  closed(session: AmiSession): void {
    this.sessions.delete(session);
  }

  uptimeSec(): number {
    return Math.floor((this.now() - this.startedAt) / 1000);
  }

  // ---- events ----

  private onModelEvent(ev: PbxEvent): void {
    const headers = toAmiEvent(ev, this.dialect);
    if (headers) this.publish(headers);
  }

  private publish(headers: readonly AmiHeader[]): void {
    if (this.held) {
      this.held.push(headers);
      return;
    }
    keepLast(this.emitted, headers, this.journalLimit);
    for (const s of this.sessions) s.event(headers);
  }

  // ---- actions ----

  async execute(session: AmiSession, req: AmiMessage): Promise<void> {
    const name = (req.get('Action') ?? '').trim().toLowerCase();
    const actionId = req.actionId;
    keepLast(this.received, req.headers, this.journalLimit);
    const behaviour = this.behaviours.get(name);
    if (behaviour?.delayMs !== undefined && behaviour.delayMs > 0) await this.sleep(behaviour.delayMs);
    if (this.stopped) return;
    if (behaviour?.fail !== undefined) {
      session.reply(failure(behaviour.fail), actionId);
      return;
    }
    const handler = this.actions.get(name);
    if (!handler) {
      session.reply(failure('Invalid/unknown command'), actionId);
      return;
    }
    const held: (readonly AmiHeader[])[] = [];
    this.held = held;
    let out: readonly OutMessage[];
    try {
      out = handler(req, this.context(actionId));
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err), action: name }, 'embedded PBX action threw');
      out = failure('Internal error');
    } finally {
      this.held = undefined;
    }
    // The answer goes first, then what the action caused, as Asterisk orders them.
    session.reply(out, actionId);
    for (const h of held) this.publish(h);
  }

  private context(actionId: string | undefined): ActionContext {
    return {
      model: this.model,
      switchboard: this.switchboard,
      dialect: this.dialect,
      now: this.now,
      dialOutcomes: this.dialOutcomes,
      kickPromptMs: this.kickPromptMs,
      originateDelayMs: this.originateDelayMs,
      originateJoin: this.originateJoin,
      actionId,
      schedule: (ms, fn) => this.schedule(ms, fn),
      broadcast: (headers, id) => this.publish(id === undefined ? headers : insertAt(headers, 2, ['ActionID', id])),
    };
  }

  private schedule(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  setActionBehaviour(action: string, behaviour: ActionBehaviour | undefined): void {
    if (behaviour === undefined) this.behaviours.delete(action.toLowerCase());
    else this.behaviours.set(action.toLowerCase(), behaviour);
  }

  // ---- scenarios ----

  join(room: string, caller: CallerSpec = {}): SimChannel {
    const { channel } = this.switchboard.dialIn(caller, this.switchboard.dialplan.roomExtension(room));
    return this.simChannel(channel.uniqueid, channel.name, channel.callId);
  }

  waitInLobby(room: string, caller: CallerSpec = {}): SimChannel {
    const lobby = this.switchboard.dialplan.lobbyFor(room);
    const at = lobby.type === 'moh' ? lobby : this.switchboard.dialplan.roomExtension(lobby.conference);
    const { channel } = this.switchboard.dialIn({ ...caller, admin: false, marked: false }, at);
    return this.simChannel(channel.uniqueid, channel.name, channel.callId);
  }

  private simChannel(uniqueid: string, name: string, callId: string | undefined): SimChannel {
    const usernum = this.dialect === 'confbridge' ? undefined : this.model.participant(uniqueid)?.participant.usernum;
    return {
      channel: name, uniqueid,
      ...(usernum === undefined ? {} : { usernum }),
      ...(callId === undefined ? {} : { callId }),
    };
  }

  leave(uniqueid: string): void {
    if (this.model.channels.has(uniqueid)) this.model.park(uniqueid, 'default', 'hold', false);
  }

  talk(uniqueid: string, on: boolean): void {
    this.model.setTalking(uniqueid, on);
  }

  mute(uniqueid: string, on: boolean): void {
    this.model.setMuted(uniqueid, on, 'self');
  }

  setLocked(room: string, on: boolean): void {
    this.model.setLocked(room, on);
  }

  requestToTalk(uniqueid: string, on: boolean): void {
    if (this.dialect !== 'confbridge') this.model.setTalkRequest(uniqueid, on);
  }

  hangup(uniqueid: string, cause: number = CAUSE_NORMAL_CLEARING): void {
    this.model.hangup(uniqueid, cause);
  }

  rename(uniqueid: string, newName: string): void {
    this.model.rename(uniqueid, newName);
  }

  rooms(): RoomSnapshot[] {
    return roomSnapshots(this.model);
  }

  channel(uniqueid: string): ChannelInfoSnapshot | undefined {
    return channelSnapshot(this.model, uniqueid);
  }

  calls(): readonly SimCall[] {
    const out: SimCall[] = [];
    for (const ch of this.model.channels.values()) {
      if (ch.callId === undefined) continue;
      out.push({
        callId: ch.callId,
        caller: ch.callerNum === UNKNOWN ? '' : ch.callerNum,
        callerName: ch.callerName === UNKNOWN ? '' : ch.callerName,
        called: ch.room ?? ch.exten,
        startedAt: ch.createdAt,
        codec: ch.codec,
      });
    }
    return out;
  }

  // ---- lifecycle ----

  async restart(downMs = 50, opts: { keepCalls?: boolean } = {}): Promise<void> {
    this.publish(shutdownEvent(true));
    await this.closeServer();
    if (!opts.keepCalls) this.model.clear();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    if (this.stopped) return;
    this.startedAt = this.now();
    await this.listen();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeServer();
  }

  private async closeServer(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sessions) s.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Sockets still open after their flush get cut, so close() cannot hang on a silent client.
      for (const sock of this.sockets) if (!sock.writableLength) sock.destroy();
    });
  }
}

export async function startEmbeddedPbx(opts: EmbeddedPbxOptions): Promise<EmbeddedPbx> {
  const pbx = new EmbeddedPbxServer(opts);
  await pbx.listen();
  return pbx;
}

/** Appends, dropping the oldest beyond `limit` (a tenth at a time, so a full journal costs no shift per entry). */
function keepLast<T>(journal: T[], item: T, limit: number): void {
  journal.push(item);
  if (journal.length > limit) journal.splice(0, journal.length - limit + Math.floor(limit / 10));
}
