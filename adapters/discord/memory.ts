import type { MessageRef } from '../../src/core/adapter.ts';
import type { StatusView } from '../../src/core/views.ts';

/**
 * What the adapter remembers between calls, bounded: interactions it may still answer (their
 * tokens live 15 minutes), the status view last drawn on each message (for page turns and the
 * participant menu), and status messages re-posted after Discord's 30046 (old ref → new ref) in
 * this process: the status service stores the new ref itself, so a restart needs no mapping.
 */

/** Discord interaction tokens are valid for 15 minutes. */
export const INTERACTION_TTL_MS = 15 * 60_000;

/** Defers an interaction on Discord; resolves even if that failed (the failure is logged). */
export type Deferral = (ephemeral: boolean) => Promise<void>;

export interface PendingInteraction {
  readonly token: string;
  readonly kind: 'command' | 'component';
  /**
   * Defers once, when the core acks (commands: deferReply with the ack's visibility; presses:
   * deferUpdate); later calls share the first deferral. Settles once it reached Discord.
   */
  defer(ephemeral: boolean): Promise<void>;
  /** Visibility of the deferred reply once deferred (commands); presses answer with follow-ups only. */
  ephemeral(): boolean | undefined;
  /** The deferred "thinking" reply has been edited into an answer, or deleted. */
  originalUsed: boolean;
  readonly at: number;
}

/** A Map that forgets its oldest entries beyond `max`. */
class Bounded<K, V> {
  readonly #map = new Map<K, V>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done === true) break;
      this.#map.delete(oldest.value);
    }
  }
  delete(key: K): void {
    this.#map.delete(key);
  }
  get size(): number {
    return this.#map.size;
  }
  /** Forgets the oldest entries for as long as `stale` says so (entries added in time order). */
  dropWhileOldest(stale: (value: V) => boolean): void {
    for (const [key, value] of this.#map) {
      if (!stale(value)) return;
      this.#map.delete(key);
    }
  }
}

/**
 * One interaction kept for its 15 minutes. A class with plain fields, not closures over a literal:
 * under half the memory (about 450 bytes with a real token's length, against 1,180, on Node 20),
 * at thousands kept.
 */
class Pending implements PendingInteraction {
  originalUsed = false;
  // The deferral holds discord.js's interaction object (its message, member, channel): let it go
  // once used, so an entry kept for its 15 minutes costs its token and a few fields.
  #run: Deferral | undefined;
  #deferredEphemeral: boolean | undefined;
  #done: Promise<void> | undefined;

  constructor(
    readonly id: string,
    readonly token: string,
    readonly kind: PendingInteraction['kind'],
    readonly at: number,
    run: Deferral,
  ) {
    this.#run = run;
  }

  defer(ephemeral: boolean): Promise<void> {
    if (this.#run !== undefined) {
      this.#deferredEphemeral = ephemeral;
      this.#done = this.#run(ephemeral);
      this.#run = undefined;
    }
    return this.#done ?? Promise.resolve();
  }

  ephemeral(): boolean | undefined {
    return this.#deferredEphemeral;
  }
}

export class InteractionRegistry {
  readonly #items = new Bounded<string, Pending>(10_000);
  readonly #now: () => number;
  #counter = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  add(token: string, kind: PendingInteraction['kind'], deferral: Deferral): PendingInteraction & { readonly id: string } {
    this.#counter += 1;
    const at = this.#now();
    this.#items.dropWhileOldest((item) => at - item.at > INTERACTION_TTL_MS);
    const item = new Pending(`d${this.#counter}`, token, kind, at, deferral);
    this.#items.set(item.id, item);
    return item;
  }

  /** Entries kept: at most those of the last 15 minutes (and never over 10,000). */
  get size(): number {
    return this.#items.size;
  }

  get(id: string): PendingInteraction | undefined {
    const item = this.#items.get(id);
    if (item === undefined || this.#now() - item.at > INTERACTION_TTL_MS) return undefined;
    return item;
  }
}

export function refKey(ref: MessageRef): string {
  return `${ref.conversation}/${ref.id}`;
}

export interface DrawnStatus {
  readonly view: StatusView;
}

export class MessageMemory {
  readonly #drawn = new Bounded<string, DrawnStatus>(5_000);
  readonly #moved = new Bounded<string, MessageRef>(5_000);

  drawn(ref: MessageRef): DrawnStatus | undefined {
    return this.#drawn.get(refKey(ref));
  }

  remember(ref: MessageRef, drawn: DrawnStatus | undefined): void {
    if (drawn === undefined) this.#drawn.delete(refKey(ref));
    else this.#drawn.set(refKey(ref), drawn);
  }

  /** The message now standing for `ref`: itself unless it was re-posted. */
  resolve(ref: MessageRef): MessageRef {
    let cur = ref;
    for (let hops = 0; hops < 10; hops++) {
      const next = this.#moved.get(refKey(cur));
      if (next === undefined) return cur;
      cur = next;
    }
    return cur;
  }

  moved(from: MessageRef, to: MessageRef): void {
    this.#moved.set(refKey(from), to);
    const drawn = this.#drawn.get(refKey(from));
    this.#drawn.delete(refKey(from));
    if (drawn !== undefined) this.#drawn.set(refKey(to), drawn);
  }
}
