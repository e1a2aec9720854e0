import { toBotError } from '../errors.ts';
import { followLinkStep, type Coordination, type YieldState } from '../kernel/coordination.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Store, WatchRecord } from '../store/types.ts';
import type { MessageRef } from './adapter.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { EditOutcome } from './edit-scheduler.ts';
import { StatusStore } from './status-store.ts';
import { unref, watchKeyOf, type LiveWatch } from './status-watch.ts';

/**
 * Which replica edits each status message. Every replica tracks every watch (it picks up the ones
 * others posted from the store), and each wants the lease `status:<pbx, room, conversation>`; only
 * the owner's edits go out. Before each edit the owner re-reads the stored record and checks that
 * its fence is still the newest one stored with the message ref, so a replica that stalled past its
 * lease never edits over its successor. A replica that wins a lease re-reads the stored ref and
 * what the message shows, then edits that same message.
 *
 * A replica whose own AMI link to the room's PBX is down hands its leases on (it stops wanting them),
 * so a replica that still reaches the PBX edits the message with the truth. It wants them again once
 * its link is back, or after `yieldMs` when no other replica took them (every link is down): then
 * the message still gets its "unreachable" banner from someone.
 *
 * Posting is not leased: a message is posted only by `show`, a command that reaches exactly one
 * replica, and never by resuming or taking over, which only edit the stored ref. So two replicas
 * starting together with no ref stored post nothing, and a dead owner's message is never posted
 * again.
 */

export interface StatusOwnershipOptions {
  readonly coordination: Coordination;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** How often watches posted elsewhere are picked up and paused edits retried (default 1000 ms). */
  readonly pollMs?: number;
  /** Whether this replica's AMI link to `pbx` is up; absent: always (the leases never move for it). */
  readonly linkUp?: (pbx: string) => boolean;
  /** How long a lease given up for a down link is left for others before it is wanted again (default 5000 ms). */
  readonly yieldMs?: number;
}

/** What the status service does for the guard. */
export interface StatusOwnershipHost {
  /** Picks up watches posted by other replicas (StatusService.resume), from the stored ones just listed. */
  resume(records: readonly WatchRecord[]): Promise<void>;
  /** The watch's record was removed by another replica (unwatched there): retire it here too. */
  unwatch(record: WatchRecord): Promise<unknown>;
}

export function statusLeaseName(w: Pick<LiveWatch, 'key'>): string {
  return `status:${w.key}`;
}

function sameRef(a: MessageRef, b: MessageRef): boolean {
  return a.platform === b.platform && a.conversation === b.conversation && a.id === b.id;
}

export class StatusOwnership {
  readonly #coord: Coordination;
  readonly #store: Store;
  readonly #sent: StatusStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #tracked = new Set<LiveWatch>();
  /** The fence under which each watch last adopted the stored ref. */
  readonly #adopted = new WeakMap<LiveWatch, number>();
  /** Found in the store by a poll: missing later means another replica removed it. */
  readonly #seen = new WeakSet<LiveWatch>();
  /** Edits skipped for want of ownership, asked for again once it is proven. */
  readonly #deferred = new Set<LiveWatch>();
  /** Leases given up while this replica's link to their PBX is down: when, or 'back' once wanted again. */
  readonly #yielded = new Map<string, Exclude<YieldState, undefined>>();
  readonly #linkUp: ((pbx: string) => boolean) | undefined;
  readonly #yieldMs: number;
  #host: StatusOwnershipHost | undefined;
  #timer: TimerHandle | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(opts: StatusOwnershipOptions) {
    this.#coord = opts.coordination;
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#log = (opts.logger ?? silentLogger()).child({ component: 'status-ownership' });
    this.#sent = new StatusStore(opts.store, opts.clock, this.#log);
    this.#pollMs = opts.pollMs ?? 1000;
    this.#linkUp = opts.linkUp;
    this.#yieldMs = opts.yieldMs ?? 5000;
  }

  /** Tracks `w` and wants its lease; the returned send edits only while this replica owns it. */
  guard(w: LiveWatch, send: () => Promise<EditOutcome>): () => Promise<EditOutcome> {
    this.#tracked.add(w);
    this.#coord.want(statusLeaseName(w));
    return async () => {
      if (await this.#mayEdit(w)) return send();
      this.#deferred.add(w);
      return 'unchanged';
    };
  }

  /** Starts picking up other replicas' watches and retrying paused edits; call after the service started. */
  start(host: StatusOwnershipHost): void {
    this.#host = host;
    this.#stopped = false;
    this.#unsubscribe = this.#coord.onChange((name, fence) => {
      if (fence === undefined) return;
      for (const w of this.#tracked) if (statusLeaseName(w) === name) w.scheduler?.request('major');
    });
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One poll: new watches picked up, removed ones retired, paused edits asked for again (tests call it). */
  async poll(): Promise<void> {
    const host = this.#host;
    let stored: Set<string> | undefined;
    try {
      // One listing a poll serves both: picking up other replicas' watches and noticing removed ones.
      const records = await this.#store.watches.list();
      stored = new Set(records.map((r) => watchKeyOf(r.pbx, r.room, r.conversation)));
      if (host !== undefined) await host.resume(records).catch((err: unknown) => this.#log.debug({ err: toBotError(err) }, 'could not pick up stored watches'));
    } catch (err) {
      this.#log.debug({ err: toBotError(err) }, 'could not list stored watches');
    }
    for (const w of [...this.#tracked]) {
      if (w.scheduler?.closed === true) {
        this.#untrack(w);
        continue;
      }
      if (stored?.has(w.key) === true) this.#seen.add(w);
      // A summary's record goes when its keeping time is up, here and elsewhere alike: no banner for it.
      else if (stored !== undefined && this.#seen.has(w) && w.closing === undefined && w.final === undefined && host !== undefined) {
        this.#seen.delete(w);
        await host.unwatch(w.record).catch((err: unknown) => this.#log.warn({ err: toBotError(err) }, 'could not retire a watch removed elsewhere'));
      }
    }
    for (const w of this.#tracked) this.#followLink(w);
    for (const w of [...this.#deferred]) {
      if (this.#coord.fence(statusLeaseName(w)) === undefined) {
        // A retired message this replica cannot edit is its owner's to finish.
        if (w.closing !== undefined) w.scheduler?.close();
        continue;
      }
      this.#deferred.delete(w);
      w.scheduler?.request('major');
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = unref(this.#clock.setTimeout(() => {
      void this.poll().finally(() => this.#schedule());
    }, this.#pollMs));
  }

  /** Gives the lease up while this replica cannot see the PBX, and wants it back as the doc above says. */
  #followLink(w: LiveWatch): void {
    if (this.#linkUp === undefined || w.closing !== undefined) return;
    const name = statusLeaseName(w);
    const step = followLinkStep(this.#yielded.get(name), this.#linkUp(w.record.pbx), this.#coord.fence(name) !== undefined, this.#clock.now(), this.#yieldMs);
    if (step.state === undefined) this.#yielded.delete(name);
    else this.#yielded.set(name, step.state);
    if (step.act === 'want') this.#coord.want(name);
    if (step.act === 'drop') {
      this.#log.info({ pbx: w.record.pbx, room: w.record.room }, 'AMI link down here: leaving the status message to a replica that reaches the PBX');
      void this.#coord.drop(name).catch((err: unknown) => this.#log.debug({ err: toBotError(err), name }, 'could not release a status lease'));
    }
  }

  #untrack(w: LiveWatch): void {
    this.#tracked.delete(w);
    this.#deferred.delete(w);
    const name = statusLeaseName(w);
    this.#yielded.delete(name);
    if ([...this.#tracked].some((other) => statusLeaseName(other) === name)) return;
    void this.#coord.drop(name).catch((err: unknown) => this.#log.debug({ err: toBotError(err), name }, 'could not release a status lease'));
  }

  async #mayEdit(w: LiveWatch): Promise<boolean> {
    const name = statusLeaseName(w);
    const fence = this.#coord.fence(name);
    if (fence === undefined) return false;
    try {
      if (w.closing !== undefined) return await this.#coord.fenceValid(name, fence);
      const { pbx, room, conversation } = w.record;
      let stored = await this.#store.watches.find(pbx, room, conversation);
      if (stored === undefined && !this.#seen.has(w)) {
        // Posted here, but its record never reached the store (it was unreachable): store it now.
        await this.#store.watches.put(w.record);
        stored = w.record;
      }
      // Removed elsewhere: the poll retires it.
      if (stored === undefined) return false;
      if (this.#adopted.get(w) === fence && sameRef(stored.ref, w.record.ref)) return await this.#coord.fenceValid(name, fence);
      // Won the lease (or the message was re-posted elsewhere): claim the stored ref under this
      // fence, and take what the message shows from the store, not from this replica's memory.
      if (!(await this.#coord.fencedPut(name, fence, JSON.stringify(stored.ref)))) return false;
      w.sentKey = await this.#sent.loadSentKey(stored);
      w.record = { ...w.record, ref: stored.ref };
      this.#adopted.set(w, fence);
      this.#log.info({ pbx, room, conversation: conversation.id, fence }, 'editing status message as its owner');
      return true;
    } catch (err) {
      this.#log.debug({ err: toBotError(err), name }, 'ownership of a status message could not be proven');
      return false;
    }
  }
}
