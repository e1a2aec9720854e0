import type {
  ConferenceBackend, InviteProgress, QueuedCaller, TransferTarget, Who,
} from '../../src/conference/backend.ts';
import { ParticipantNotFoundError, PbxNotFoundError, RoomNotFoundError } from '../../src/conference/errors.ts';
import type { Participant, PbxState, Room, RoomChange } from '../../src/conference/types.ts';
import type {
  Actor, AdapterLimits, ChatAdapter, InboundContext, InboundHandlers, MessageRef, ReplyOptions, Visibility,
} from '../../src/core/adapter.ts';
import type { RoomDirectory } from '../../src/core/dispatcher.ts';
import type { View } from '../../src/core/views.ts';
import type { AuditQuery, AuditRecord, AuditStore } from '../../src/store/types.ts';

/** Test doubles of the core's seams: an in-memory PBX, a recording adapter, an in-memory audit log. */

export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

export function participant(room: string, n: number, extra: Partial<Participant> = {}): Participant {
  return {
    pbx: 'pbx1', room, uniqueid: `1700000000.${n}`, usernum: n, channel: `PJSIP/${700 + n}-0000000${n}`, tech: 'PJSIP',
    callerNum: String(700 + n), callerName: `Caller${n}`, admin: false, marked: false, muted: false, mutedBy: undefined,
    talking: false, joinedAt: T0 - 60_000 * n, topic: undefined, ...extra,
  };
}

export function room(name: string, people: readonly Participant[], extra: Partial<Room> = {}): Room {
  return {
    pbx: 'pbx1', name, dialect: 'confbridge', participants: new Map(people.map((p) => [p.uniqueid, p])), locked: false,
    recording: false, muzak: undefined, stream: undefined, startedAt: T0 - 600_000, peakSize: people.length, endedAt: undefined, ...extra,
  };
}

/** An in-memory backend: resolves `who` by user number, channel, caller number or name prefix. */
export class FakeBackend implements ConferenceBackend {
  readonly dialect = 'confbridge' as const;
  available = true;
  since = T0;
  rooms_ = new Map<string, Room>();
  readonly calls: string[] = [];
  waiting: QueuedCaller[] = [];
  topics = new Map<string, string>();

  constructor(readonly pbx: string) {}

  add(r: Room): void {
    this.rooms_.set(r.name, { ...r, pbx: this.pbx, participants: new Map([...r.participants].map(([k, p]) => [k, { ...p, pbx: this.pbx }])) });
  }

  state(): PbxState {
    return { pbx: this.pbx, dialect: 'confbridge', rooms: this.rooms_, available: this.available, since: this.since };
  }

  async rooms(): Promise<Room[]> { return [...this.rooms_.values()]; }

  async room(name: string): Promise<Room> {
    const r = this.rooms_.get(name);
    if (r === undefined) throw new RoomNotFoundError(this.pbx, name);
    return r;
  }

  async participants(name: string): Promise<Participant[]> { return [...(await this.room(name)).participants.values()]; }

  async resolve(name: string, who: string): Promise<Participant> {
    const people = await this.participants(name);
    const hit = people.find((p) => String(p.usernum) === who || p.channel === who || p.callerNum === who || (p.callerName ?? '').toLowerCase().startsWith(who.toLowerCase()));
    if (hit === undefined) throw new ParticipantNotFoundError(name, who, people.map((p) => p.callerName ?? ''));
    return hit;
  }

  async #targets(name: string, who: Who): Promise<Participant[]> {
    return who.kind === 'all' ? this.participants(name) : [await this.resolve(name, who.text)];
  }

  #replace(name: string, p: Participant | undefined, uniqueid: string): void {
    const r = this.rooms_.get(name) as Room;
    const people = new Map(r.participants);
    if (p === undefined) people.delete(uniqueid);
    else people.set(uniqueid, p);
    this.rooms_.set(name, { ...r, participants: people });
  }

  async mute(name: string, who: Who, on: boolean): Promise<Participant[]> {
    const targets = await this.#targets(name, who);
    this.calls.push(`mute ${name} ${who.kind === 'all' ? 'all' : who.text} ${on}`);
    return targets.map((p) => {
      const next = { ...p, muted: on, mutedBy: on ? ('admin' as const) : undefined };
      this.#replace(name, next, p.uniqueid);
      return next;
    });
  }

  async kick(name: string, who: Who): Promise<Participant[]> {
    const targets = await this.#targets(name, who);
    this.calls.push(`kick ${name} ${who.kind === 'all' ? 'all' : who.text}`);
    for (const p of targets) this.#replace(name, undefined, p.uniqueid);
    return targets;
  }

  async refreshLock(name: string): Promise<void> {
    await this.room(name);
  }

  async lock(name: string, on: boolean): Promise<void> {
    const r = await this.room(name);
    this.calls.push(`lock ${name} ${on}`);
    this.rooms_.set(name, { ...r, locked: on });
  }

  async record(name: string, on: boolean): Promise<void> { await this.room(name); this.calls.push(`record ${name} ${on}`); }
  async muzak(name: string, on: boolean): Promise<void> { await this.room(name); this.calls.push(`muzak ${name} ${on}`); }
  async stream(name: string, on: boolean): Promise<void> { await this.room(name); this.calls.push(`stream ${name} ${on}`); }

  async invite(name: string, number: string): Promise<InviteProgress> {
    this.calls.push(`invite ${name} ${number}`);
    return number === '999'
      ? { state: 'failed', number, reason: 'busy', channel: undefined }
      : { state: 'answered', number, reason: undefined, channel: `PJSIP/${number}-1` };
  }

  async transfer(name: string, who: string, target: TransferTarget): Promise<Participant> {
    const p = await this.resolve(name, who);
    this.calls.push(`transfer ${name} ${who} ${target.exten}@${target.context ?? ''}`);
    this.#replace(name, undefined, p.uniqueid);
    return p;
  }

  async getTopic(name: string, who: string): Promise<{ participant: Participant; topic: string | undefined }> {
    const p = await this.resolve(name, who);
    return { participant: p, topic: this.topics.get(p.uniqueid) };
  }

  async setTopic(name: string, who: string, text: string): Promise<Participant> {
    const p = await this.resolve(name, who);
    this.calls.push(`topic ${name} ${who} ${text}`);
    this.topics.set(p.uniqueid, text);
    return p;
  }

  async queue(name: string): Promise<QueuedCaller[]> { this.calls.push(`queue ${name}`); return this.waiting; }

  async bringIn(name: string, who: string): Promise<QueuedCaller> {
    const c = this.waiting.find((w) => String(w.position) === who || w.callerNum === who);
    if (c === undefined) throw new ParticipantNotFoundError(name, who, [], 'queue');
    this.calls.push(`bringin ${name} ${who}`);
    this.waiting = this.waiting.filter((w) => w !== c);
    return c;
  }

  async getChannelVar(): Promise<string | undefined> { return undefined; }
}

export class FakeDirectory implements RoomDirectory {
  readonly backends = new Map<string, FakeBackend>();

  constructor(...backends: FakeBackend[]) {
    for (const b of backends) this.backends.set(b.pbx, b);
  }

  pbxIds(): readonly string[] { return [...this.backends.keys()]; }

  backend(pbx: string): FakeBackend {
    const b = this.backends.get(pbx);
    if (b === undefined) throw new PbxNotFoundError(pbx, this.pbxIds());
    return b;
  }

  onChange(_listener: (changes: readonly RoomChange[]) => void): () => void { return () => {}; }

  findRoom(name: string): { pbx: string; room: string } | undefined {
    const slash = name.indexOf('/');
    if (slash >= 0) {
      const pbx = name.slice(0, slash);
      const r = name.slice(slash + 1);
      return this.backends.get(pbx)?.rooms_.has(r) === true ? { pbx, room: r } : undefined;
    }
    const hits = [...this.backends.values()].filter((b) => b.rooms_.get(name)?.endedAt === undefined && b.rooms_.has(name));
    return hits.length === 1 ? { pbx: (hits[0] as FakeBackend).pbx, room: name } : undefined;
  }
}

export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];
  async append(record: AuditRecord): Promise<void> { this.records.push(record); }
  async query(q: AuditQuery): Promise<AuditRecord[]> {
    return this.records
      .filter((r) => (q.pbx === undefined || r.pbx === q.pbx) && (q.room === undefined || r.room === q.room))
      .slice()
      .reverse()
      .slice(0, q.limit ?? 20);
  }
}

export interface Sent {
  readonly how: 'reply' | 'post' | 'update';
  readonly view: View;
  readonly ephemeral?: boolean;
  readonly ref?: MessageRef;
}

/** A ChatAdapter that records what the core sends. */
export class RecordingAdapter implements ChatAdapter {
  readonly name = 'test';
  limits: AdapterLimits = { minEditIntervalMs: 0, maxButtonsPerMessage: 25, maxTextLength: 4000, ackDeadlineMs: 3000, nativeConfirmDialogs: true };
  readonly sent: Sent[] = [];
  async start(_inbound: InboundHandlers): Promise<void> {}
  async stop(): Promise<void> {}
  async post(_c: unknown, view: View): Promise<MessageRef> {
    const ref = { platform: 'test', conversation: 'c1', id: `m${this.sent.length}` };
    this.sent.push({ how: 'post', view, ref });
    return ref;
  }
  async update(ref: MessageRef, view: View): Promise<void> { this.sent.push({ how: 'update', view, ref }); }
  async reply(_i: unknown, view: View, options: ReplyOptions): Promise<void> { this.sent.push({ how: 'reply', view, ephemeral: options.ephemeral }); }

  last(): Sent {
    const s = this.sent[this.sent.length - 1];
    if (s === undefined) throw new Error('nothing sent');
    return s;
  }
}

export function actor(userId: string, extra: Partial<Actor> = {}): Actor {
  return { platform: 'test', userId, displayName: userId, groups: [], ...extra };
}

export function inbound(who: Actor, message?: MessageRef): InboundContext & { acks: number; visibilities: Visibility[] } {
  const ctx = {
    actor: who,
    conversation: { platform: 'test', id: 'c1' },
    interaction: { platform: 'test', id: 'i1' },
    message,
    acks: 0,
    visibilities: [] as Visibility[],
    async ack(visibility: Visibility) { ctx.acks++; ctx.visibilities.push(visibility); },
  };
  return ctx;
}

/** The text of a reply view, or a status view's room line. */
export function textOf(view: View): string {
  if (view.kind === 'reply') return view.text;
  if (view.kind === 'status') return `status ${view.pbx}/${view.room} ${view.count}`;
  return view.text;
}
