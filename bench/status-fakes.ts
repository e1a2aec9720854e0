import type { ConferenceBackend, ConferenceDirectory } from '../src/conference/backend.ts';
import type { Participant, PbxState, Room, RoomChange } from '../src/conference/types.ts';
import { MessageGoneError, PlatformRateLimitedError } from '../src/core/adapter-errors.ts';
import type { AdapterLimits, ChatAdapter, Conversation, MessageRef } from '../src/core/adapter.ts';
import type { Clock } from '../src/core/clock.ts';
import type { StatusView, StatusViewInput, View } from '../src/core/views.ts';

/**
 * Stand-ins for the status service's peers, shared by the status bench (real timers) and the
 * status tests (fake clock): a conference directory driven like a call's history, a compact
 * render, and a chat platform that enforces its edit limits with 429s.
 */

export function participant(room: string, n: number, over: Partial<Participant> = {}): Participant {
  return {
    pbx: 'pbx1', room, uniqueid: `1700000000.${n}`, usernum: n, channel: `PJSIP/${700 + n}-0000000${n}`, tech: 'PJSIP',
    callerNum: String(700 + n), callerName: `Caller${n}`, admin: false, marked: false, muted: false,
    mutedBy: undefined, talking: false, joinedAt: 0, topic: undefined, ...over,
  };
}

function unsupported(): never {
  throw new Error('not used by the status service');
}

export interface FakeDirectoryOptions {
  readonly pbx?: string;
  /**
   * False for a process that has just started and whose PBX link is not up yet: no rooms, and
   * unavailable since now (the default is a link that has been up for an hour).
   */
  readonly available?: boolean;
}

/**
 * One PBX's state plus a tiny reducer: each helper changes the state the way the real registry
 * would and emits the matching RoomChange, so status tests read like a call's history.
 */
export class FakeDirectory implements ConferenceDirectory {
  readonly pbx: string;
  #state: PbxState;
  #listeners = new Set<(changes: readonly RoomChange[]) => void>();
  readonly #clock: Clock;

  constructor(clock: Clock, options: FakeDirectoryOptions = {}) {
    this.#clock = clock;
    this.pbx = options.pbx ?? 'pbx1';
    const available = options.available ?? true;
    this.#state = {
      pbx: this.pbx, dialect: 'confbridge', rooms: new Map(), available, since: available ? clock.now() - 3_600_000 : clock.now(),
    };
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  pbxIds(): readonly string[] {
    return [this.pbx];
  }

  backend(pbx: string): ConferenceBackend {
    if (pbx !== this.pbx) throw new Error(`unknown pbx ${pbx}`);
    const state = (): PbxState => this.#state;
    return {
      pbx, dialect: 'confbridge', get available() { return state().available; }, state,
      rooms: unsupported, room: unsupported, participants: unsupported, resolve: unsupported, mute: unsupported,
      kick: unsupported, refreshLock: unsupported, lock: unsupported, record: unsupported, muzak: unsupported, stream: unsupported,
      invite: unsupported, transfer: unsupported, getTopic: unsupported, setTopic: unsupported, queue: unsupported,
      bringIn: unsupported, getChannelVar: unsupported,
    };
  }

  onChange(listener: (changes: readonly RoomChange[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  state(): PbxState {
    return this.#state;
  }

  room(name: string): Room | undefined {
    return this.#state.rooms.get(name);
  }

  #emit(change: RoomChange): void {
    for (const l of this.#listeners) l([change]);
  }

  #putRoom(room: Room | undefined, name: string): void {
    const rooms = new Map(this.#state.rooms);
    if (room === undefined) rooms.delete(name);
    else rooms.set(name, room);
    this.#state = { ...this.#state, rooms };
  }

  #withParticipants(name: string, fn: (m: Map<string, Participant>) => void): Room {
    const room = this.#state.rooms.get(name);
    if (room === undefined) throw new Error(`no room ${name}`);
    const participants = new Map(room.participants);
    fn(participants);
    const next = { ...room, participants, peakSize: Math.max(room.peakSize, participants.size) };
    this.#putRoom(next, name);
    return next;
  }

  /** The room starts with nobody in it yet (ConfbridgeStart arrives before the first ConfbridgeJoin). */
  open(name: string): void {
    if (this.#state.rooms.has(name)) return;
    this.#putRoom({
      pbx: this.pbx, name, dialect: 'confbridge', participants: new Map(), locked: false, recording: false,
      muzak: undefined, stream: undefined, startedAt: this.#clock.now(), peakSize: 0, endedAt: undefined,
    }, name);
    this.#emit({ type: 'room_started', pbx: this.pbx, room: name });
  }

  join(name: string, p: Participant): void {
    this.open(name);
    const joined = { ...p, joinedAt: this.#clock.now() };
    this.#withParticipants(name, (m) => m.set(p.uniqueid, joined));
    this.#emit({ type: 'joined', pbx: this.pbx, room: name, participant: joined });
  }

  leave(name: string, uniqueid: string): void {
    const p = this.#state.rooms.get(name)?.participants.get(uniqueid);
    if (p === undefined) throw new Error(`no participant ${uniqueid}`);
    this.#withParticipants(name, (m) => m.delete(uniqueid));
    this.#emit({ type: 'left', pbx: this.pbx, room: name, participant: p });
  }

  #flag(name: string, uniqueid: string, over: Partial<Participant>): Participant {
    const p = this.#state.rooms.get(name)?.participants.get(uniqueid);
    if (p === undefined) throw new Error(`no participant ${uniqueid}`);
    const next = { ...p, ...over };
    this.#withParticipants(name, (m) => m.set(uniqueid, next));
    return next;
  }

  mute(name: string, uniqueid: string, on: boolean): void {
    const p = this.#flag(name, uniqueid, { muted: on, mutedBy: on ? 'admin' : undefined });
    this.#emit({ type: 'muted', pbx: this.pbx, room: name, participant: p, on });
  }

  talk(name: string, uniqueid: string, on: boolean): void {
    const p = this.#flag(name, uniqueid, { talking: on });
    this.#emit({ type: 'talking', pbx: this.pbx, room: name, participant: p, on });
  }

  /** A re-list after a reconnect that learned nothing new: each participant comes back unchanged. */
  relist(name: string): void {
    const room = this.#state.rooms.get(name);
    if (room === undefined) throw new Error(`no room ${name}`);
    for (const participant of room.participants.values()) this.#emit({ type: 'updated', pbx: this.pbx, room: name, participant });
  }

  end(name: string): void {
    const room = this.#state.rooms.get(name);
    if (room === undefined) throw new Error(`no room ${name}`);
    const final = { ...room, participants: new Map<string, Participant>(), endedAt: this.#clock.now() };
    this.#putRoom(undefined, name);
    this.#emit({ type: 'room_ended', pbx: this.pbx, room: name, final });
  }

  /** A room that ends without the bot seeing it (it was not running). */
  removeSilently(name: string): void {
    this.#putRoom(undefined, name);
  }

  down(): void {
    this.#state = { ...this.#state, available: false, since: this.#clock.now() };
    this.#emit({ type: 'pbx_down', pbx: this.pbx, since: this.#state.since });
  }

  up(): void {
    this.#state = { ...this.#state, available: true, since: this.#clock.now() };
    this.#emit({ type: 'pbx_up', pbx: this.pbx, since: this.#state.since });
  }
}

/**
 * A compact, comparable render: what a person would read in the message. Like buildStatusView, a
 * room missing from the state is shown as not running, never as ended.
 */
export function fakeRender(input: StatusViewInput): StatusView {
  const room = input.room;
  const ended = room?.endedAt !== undefined;
  const rows = room === undefined || ended ? [] : [...room.participants.values()].map((p) => ({
    key: p.uniqueid, name: p.callerName ?? p.channel, number: p.callerNum, usernum: p.usernum, tech: p.tech,
    muted: p.muted, mutedBy: p.mutedBy, talking: p.talking, admin: p.admin, marked: p.marked, topic: p.topic,
    inRoomSec: 0, buttons: input.available ? [{ id: `m:${p.uniqueid}`, label: 'Mute', style: 'default' as const, confirm: undefined }] : [],
  }));
  return {
    kind: 'status', pbx: input.pbx, room: input.roomName, count: rows.length,
    flags: { locked: room?.locked ?? false, recording: false, muzak: false, stream: false },
    runningSec: 0, rows,
    buttons: room === undefined || ended || !input.available ? [] : [{ id: 'lock', label: 'Lock', style: 'default', confirm: undefined }],
    banner: input.available ? undefined : `PBX unreachable since ${input.since}`,
    ended: ended
      ? {
          durationSec: Math.floor(((room.endedAt ?? input.now) - room.startedAt) / 1000),
          peakSize: room.peakSize,
          attendees: input.history?.attendees ?? [],
          actions: input.history?.actions ?? [],
        }
      : undefined,
    updatedAt: 0,
  };
}

/** What matters for "does the message show the truth": rows and room state, not timestamps. */
export function visible(view: View | undefined): unknown {
  if (view === undefined || view.kind !== 'status') return view;
  return { ...view, updatedAt: 0, runningSec: 0 };
}

export interface SentEdit {
  readonly at: number;
  readonly ref: MessageRef;
  readonly view: View;
}

export interface FakeAdapterOptions {
  readonly name?: string;
  readonly minEditIntervalMs?: number;
  /** How long each update takes, on the fake clock. */
  readonly latencyMs?: number;
  /**
   * A limit across all messages, like Slack's per-workspace chat.update tier: at most `edits`
   * accepted in any `perMs`. An update beyond it, or any update before a Retry-After already
   * given out has passed, is answered 429.
   */
  readonly sharedLimit?: { readonly edits: number; readonly perMs: number };
  /**
   * Each message's limit as a bucket (Discord's 5 edits per 5 s) instead of one edit per
   * `minEditIntervalMs`: at most `edits` accepted in any `perMs`.
   */
  readonly messageLimit?: { readonly edits: number; readonly perMs: number };
  /** The adapter's row budget per status message page (AdapterLimits.maxRowsPerPage). */
  readonly maxRowsPerPage?: number;
}

export interface RateLimitAnswer {
  readonly at: number;
  readonly ref: MessageRef;
  readonly retryAfterMs: number;
}

/**
 * A chat platform that enforces its per-message edit interval (and optionally a limit shared by
 * all messages) with 429s, and can be told to fail the next updates (5xx), or that a person
 * deleted a message.
 */
export class FakeAdapter implements ChatAdapter {
  readonly name: string;
  readonly limits: AdapterLimits;
  readonly posts: { at: number; conversation: Conversation; ref: MessageRef; view: View }[] = [];
  /** Accepted edits. */
  readonly edits: SentEdit[] = [];
  /** Every update call, accepted or not. */
  readonly attempts: SentEdit[] = [];
  rateLimited = 0;
  /** Every 429 answered, in order. */
  readonly rateLimits: RateLimitAnswer[] = [];
  /** Set by a test to give this fake a thread, like Slack's. */
  postThreadNote?: (ref: MessageRef, text: string) => Promise<void>;
  readonly #clock: Clock;
  readonly #latencyMs: number;
  readonly #sharedLimit: FakeAdapterOptions['sharedLimit'];
  /** Accepted edit times across all messages, for `sharedLimit`. */
  #accepted: number[] = [];
  #retryAfterUntil = 0;
  readonly #messageLimit: FakeAdapterOptions['messageLimit'];
  /** Accepted write times per message (the post included), oldest first. */
  readonly #lastAccepted = new Map<string, number[]>();
  readonly #deleted = new Set<string>();
  readonly #failures: Error[] = [];
  #nextId = 1;

  constructor(clock: Clock, options: FakeAdapterOptions = {}) {
    this.#clock = clock;
    this.name = options.name ?? 'slack';
    this.#latencyMs = options.latencyMs ?? 0;
    this.#sharedLimit = options.sharedLimit;
    this.#messageLimit = options.messageLimit;
    const paging = options.maxRowsPerPage === undefined ? {} : { maxRowsPerPage: options.maxRowsPerPage };
    this.limits = { minEditIntervalMs: options.minEditIntervalMs ?? 1000, maxButtonsPerMessage: 25, maxTextLength: 3000, ackDeadlineMs: 3000, ...paging };
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async reply(): Promise<void> {}

  async post(conversation: Conversation, view: View): Promise<MessageRef> {
    const ref = { platform: this.name, conversation: conversation.id, id: `m${this.#nextId++}` };
    this.posts.push({ at: this.#clock.now(), conversation, ref, view });
    this.#lastAccepted.set(ref.id, [this.#clock.now()]);
    return ref;
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    const at = this.#clock.now();
    this.attempts.push({ at, ref, view });
    if (this.#latencyMs > 0) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, this.#latencyMs));
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    if (this.#deleted.has(ref.id)) throw new MessageGoneError(this.name, 'message_not_found');
    const wait = Math.max(this.#messageWait(ref.id, at), this.#sharedWait(at));
    if (wait > 0) {
      this.rateLimited += 1;
      this.rateLimits.push({ at, ref, retryAfterMs: wait });
      this.#retryAfterUntil = Math.max(this.#retryAfterUntil, at + wait);
      throw new PlatformRateLimitedError(this.name, wait, { kind: 'workspace', key: 'chat.update' });
    }
    this.#lastAccepted.set(ref.id, [...(this.#lastAccepted.get(ref.id) ?? []), at].slice(-(this.#messageLimit?.edits ?? 1)));
    this.#accepted.push(at);
    this.edits.push({ at, ref, view });
  }

  /** How long the message's own limit makes an update at `at` wait (0: it may go). */
  #messageWait(id: string, at: number): number {
    const accepted = this.#lastAccepted.get(id) ?? [];
    const limit = this.#messageLimit ?? { edits: 1, perMs: this.limits.minEditIntervalMs };
    const oldest = accepted.length < limit.edits ? undefined : accepted[accepted.length - limit.edits];
    return oldest === undefined ? 0 : oldest + limit.perMs - at;
  }

  /** How long `sharedLimit` makes an update at `at` wait (0: it may go). */
  #sharedWait(at: number): number {
    const limit = this.#sharedLimit;
    if (limit === undefined) return 0;
    this.#accepted = this.#accepted.filter((t) => t > at - limit.perMs);
    const oldest = this.#accepted[0];
    const windowWait = this.#accepted.length < limit.edits || oldest === undefined ? 0 : oldest + limit.perMs - at;
    return Math.max(windowWait, this.#retryAfterUntil - at);
  }

  failNext(...errors: Error[]): void {
    this.#failures.push(...errors);
  }

  deleteMessage(id: string): void {
    this.#deleted.add(id);
  }

  editsOf(id: string): SentEdit[] {
    return this.edits.filter((e) => e.ref.id === id);
  }

  lastViewOf(id: string): View | undefined {
    return this.editsOf(id).at(-1)?.view ?? this.posts.find((p) => p.ref.id === id)?.view;
  }
}
