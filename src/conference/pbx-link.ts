import { parseAmiEvent } from '../ami/events.ts';
import type { AmiMessage } from '../ami/message.ts';
import type { AmiLink } from '../ami/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../log.ts';
import type { ArrivalTracker } from './lobby.ts';
import { claimInjection, reduceConference, setMutedBy, type InjectionKind, type Reduction } from './model.ts';
import type { PbxState, RoomChange } from './types.ts';

/**
 * Link state and fan-out: the state one PBX connection holds, the only place it changes (`commit`,
 * always a reduction with its change records), and the path of AMI events into the reducer.
 */

export type ManagedLink = AmiLink & { start(): Promise<void>; stop(): Promise<void> };

export type ChangeListener = (changes: readonly RoomChange[]) => void;

/** The held state and its change feed: every new version comes with the records that describe it. */
export class PbxFeed {
  #st: PbxState;
  readonly #listeners = new Set<ChangeListener>();
  readonly #log: Logger;

  constructor(initial: PbxState, log: Logger) {
    this.#st = initial;
    this.#log = log;
  }

  get state(): PbxState {
    return this.#st;
  }

  commit(r: Reduction): void {
    this.#st = r.state;
    if (r.changes.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(r.changes);
      } catch (err) {
        this.#log.error({ err }, 'change listener threw');
      }
    }
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Channel name → Uniqueid from Newchannel/MeetmeJoin/Rename/Hangup, so a MeetMe re-list needs no `Status`. */
export class ChannelIndex {
  readonly #ids = new Map<string, string>();

  note(msg: AmiMessage): void {
    const name = msg.event?.toLowerCase();
    const channel = msg.get('Channel');
    const uniqueid = msg.get('Uniqueid');
    if (channel === undefined || uniqueid === undefined) return;
    if (name === 'newchannel' || name === 'meetmejoin') {
      this.#ids.set(channel, uniqueid);
    } else if (name === 'rename') {
      const newname = msg.get('Newname');
      this.#ids.delete(channel);
      if (newname !== undefined) this.#ids.set(newname, uniqueid);
    } else if (name === 'hangup') {
      this.#ids.delete(channel);
    }
  }

  get(channel: string): string | undefined {
    return this.#ids.get(channel);
  }

  clear(): void {
    this.#ids.clear();
  }
}

/** What applying an event needs from the other jobs of the connection. */
export interface EventHooks {
  /** The bot's own muzak/stream channel, told by its originate target. */
  injectionByTarget(room: string, channel: string): InjectionKind | undefined;
  /** MeetMe events leave flags out: a re-list of the room shortly after learns them. */
  relistSoon(room: string): void;
  /** True (once) when the bot itself muted this participant. */
  takeMutedByBot(uniqueid: string): boolean;
}

/**
 * Events into the reducer. While a listing runs, events wait and are applied after it, so none is
 * lost to the diff.
 */
export class EventFanout {
  #buffered: AmiMessage[] | undefined;

  constructor(
    private readonly feed: PbxFeed,
    private readonly clock: Clock,
    private readonly hooks: EventHooks,
    private readonly channels: ChannelIndex,
    private readonly arrivals: ArrivalTracker,
  ) {}

  readonly onEvent = (msg: AmiMessage): void => {
    this.arrivals.note(msg, this.clock.now());
    // Only MeetMe needs the index: ConfBridge lists carry the Uniqueid.
    if (this.feed.state.dialect !== 'confbridge') this.channels.note(msg);
    if (this.#buffered) {
      this.#buffered.push(msg);
      return;
    }
    this.apply(msg);
  };

  hold(): void {
    this.#buffered = [];
  }

  release(): void {
    const pending = this.#buffered ?? [];
    this.#buffered = undefined;
    for (const msg of pending) this.apply(msg);
  }

  private apply(msg: AmiMessage): void {
    const now = this.clock.now();
    const r = reduceConference(this.feed.state, parseAmiEvent(msg), now);
    if (r.state === this.feed.state && r.changes.length === 0) return;
    let state = r.state;
    const changes: RoomChange[] = [];
    const fold = (next: Reduction): void => {
      state = next.state;
      changes.push(...next.changes);
    };
    for (const c of r.changes) {
      if (c.type === 'joined') {
        // A muzak/stream channel whose originate the bot stopped waiting for (a dial slower than
        // the wait, a restart): its template still tells it apart from a caller.
        const kind = this.hooks.injectionByTarget(c.room, c.participant.channel);
        if (kind !== undefined && state.rooms.get(c.room)?.[kind] === undefined) {
          fold(claimInjection(state, c.room, c.participant.uniqueid, kind, now));
          continue;
        }
        if (state.dialect === 'meetme') this.hooks.relistSoon(c.room);
      }
      changes.push(c);
      if (c.type === 'muted' && c.on) {
        if (this.hooks.takeMutedByBot(c.participant.uniqueid)) fold(setMutedBy(state, c.room, c.participant.uniqueid, 'admin'));
        // MeetmeMute does not say who muted; MeetmeList does (`By self` / `By admin`).
        else if (state.dialect === 'meetme') this.hooks.relistSoon(c.room);
      }
    }
    this.feed.commit({ state, changes });
  }
}

/** Subscribes a connection's handlers to its link, once. */
export class LinkSubscription {
  #attached = false;

  constructor(
    private readonly link: ManagedLink,
    private readonly handlers: {
      readonly event: (msg: AmiMessage) => void;
      readonly connected: () => void;
      readonly disconnected: (reason: Error) => void;
    },
  ) {}

  get attached(): boolean {
    return this.#attached;
  }

  attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    this.link.on('event', this.handlers.event);
    this.link.on('connected', this.handlers.connected);
    this.link.on('disconnected', this.handlers.disconnected);
  }

  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    this.link.off('event', this.handlers.event);
    this.link.off('connected', this.handlers.connected);
    this.link.off('disconnected', this.handlers.disconnected);
  }
}
