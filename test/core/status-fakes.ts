import type { ConferenceBackend, ConferenceDirectory } from '../../src/conference/backend.ts';
import type { Participant, PbxState, Room, RoomChange } from '../../src/conference/types.ts';
import { MessageGoneError, PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import type { AdapterLimits, ChatAdapter, Conversation, MessageRef } from '../../src/core/adapter.ts';
import type { Clock, TimerHandle } from '../../src/core/clock.ts';
import type { StatusView, StatusViewInput, View } from '../../src/core/views.ts';

/** Lets every queued promise callback run (the scheduler's send/then/finally chain). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** A clock whose time moves only when a test advances it; due timers run in order. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: FakeTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 5, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, running each timer that falls due (and the promises it starts). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

export function participant(room: string, n: number, over: Partial<Participant> = {}): Participant {
  return {
    pbx: 'pbx1', room, uniqueid: `1700000000.${n}`, usernum: n, channel: `PJSIP/${700 + n}-0000000${n}`, tech: 'PJSIP',
    callerNum: String(700 + n), callerName: `Caller${n}`, admin: false, marked: false, muted: false,
    mutedBy: undefined, talking: false, joinedAt: 0, topic: undefined, ...over,
  };
}

function unsupported(): never {
  throw new Error('not used by the status tests');
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

  constructor(clock: Clock, pbx = 'pbx1') {
    this.#clock = clock;
    this.pbx = pbx;
    this.#state = { pbx, dialect: 'confbridge', rooms: new Map(), available: true, since: clock.now() - 3_600_000 };
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
      kick: unsupported, lock: unsupported, record: unsupported, muzak: unsupported, stream: unsupported,
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

  join(name: string, p: Participant): void {
    if (!this.#state.rooms.has(name)) {
      this.#putRoom({
        pbx: this.pbx, name, dialect: 'confbridge', participants: new Map(), locked: false, recording: false,
        muzak: undefined, stream: undefined, startedAt: this.#clock.now(), peakSize: 0, endedAt: undefined,
      }, name);
      this.#emit({ type: 'room_started', pbx: this.pbx, room: name });
    }
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

/** A compact, comparable render: what a person would read in the message. */
export function fakeRender(input: StatusViewInput): StatusView {
  const room = input.room;
  const ended = room === undefined || room.endedAt !== undefined;
  const rows = ended ? [] : [...room.participants.values()].map((p) => ({
    key: p.uniqueid, name: p.callerName ?? p.channel, number: p.callerNum, usernum: p.usernum, tech: p.tech,
    muted: p.muted, mutedBy: p.mutedBy, talking: p.talking, admin: p.admin, marked: p.marked, topic: p.topic,
    inRoomSec: 0, buttons: input.available ? [{ id: `m:${p.uniqueid}`, label: 'Mute', style: 'default' as const, confirm: undefined }] : [],
  }));
  return {
    kind: 'status', pbx: input.pbx, room: input.roomName, count: rows.length,
    flags: { locked: room?.locked ?? false, recording: false, muzak: false, stream: false },
    runningSec: 0, rows,
    buttons: ended || !input.available ? [] : [{ id: 'lock', label: 'Lock', style: 'default', confirm: undefined }],
    banner: input.available ? undefined : `PBX unreachable since ${input.since}`,
    ended: ended
      ? {
          durationSec: room === undefined ? 0 : Math.floor(((room.endedAt ?? input.now) - room.startedAt) / 1000),
          peakSize: room?.peakSize ?? 0,
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
}

/**
 * A chat platform that enforces its per-message edit interval with 429s, and can be told to fail
 * the next updates (5xx), or that a person deleted a message.
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
  /** Set by a test to give this fake a thread, like Slack's. */
  postThreadNote?: (ref: MessageRef, text: string) => Promise<void>;
  readonly #clock: Clock;
  readonly #latencyMs: number;
  readonly #lastAccepted = new Map<string, number>();
  readonly #deleted = new Set<string>();
  readonly #failures: Error[] = [];
  #nextId = 1;

  constructor(clock: Clock, options: FakeAdapterOptions = {}) {
    this.#clock = clock;
    this.name = options.name ?? 'slack';
    this.#latencyMs = options.latencyMs ?? 0;
    this.limits = { minEditIntervalMs: options.minEditIntervalMs ?? 1000, maxButtonsPerMessage: 25, maxTextLength: 3000, ackDeadlineMs: 3000 };
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async reply(): Promise<void> {}

  async post(conversation: Conversation, view: View): Promise<MessageRef> {
    const ref = { platform: this.name, conversation: conversation.id, id: `m${this.#nextId++}` };
    this.posts.push({ at: this.#clock.now(), conversation, ref, view });
    this.#lastAccepted.set(ref.id, this.#clock.now());
    return ref;
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    const at = this.#clock.now();
    this.attempts.push({ at, ref, view });
    if (this.#latencyMs > 0) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, this.#latencyMs));
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    if (this.#deleted.has(ref.id)) throw new MessageGoneError(this.name, 'message_not_found');
    const last = this.#lastAccepted.get(ref.id);
    const wait = last === undefined ? 0 : last + this.limits.minEditIntervalMs - at;
    if (wait > 0) {
      this.rateLimited += 1;
      throw new PlatformRateLimitedError(this.name, wait);
    }
    this.#lastAccepted.set(ref.id, at);
    this.edits.push({ at, ref, view });
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
