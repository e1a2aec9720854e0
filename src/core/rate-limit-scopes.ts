import type { Conversation } from './adapter.ts';
import type { RateLimitScope } from './adapter-errors.ts';
import type { Clock } from './clock.ts';

/**
 * The 429 blocks of one message: those of every scope it is in. A 429 tells when its whole scope
 * may try again, so the other messages in that scope would only collect 429s of their own by trying
 * earlier; messages in other scopes (another workspace, channel or route bucket) carry on.
 */
export interface ScopedBackoff {
  /** Epoch ms before which this message should not start an edit. */
  readonly until: number;
  /** This message was answered 429 in `scope`: every message in that scope waits until `until`. */
  extend(scope: RateLimitScope, until: number): void;
}

/** One adapter's blocks, by scope; `forMessage` gives each message its view of them. */
export class RateLimitScopes {
  /** Block end (epoch ms) by scope id. */
  readonly #blocks = new Map<string, number>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * A message's backoff on `platform` in `conversation`: it is in its workspace's and its channel's
   * scopes from the start, and in a route bucket once one of its own edits is answered with it.
   */
  forMessage(platform: string, conversation: Conversation): ScopedBackoff {
    return new MessageBackoff(platform, conversation, this.#blocks, (id, until) => this.#extend(id, until));
  }

  /** Blocks held (tests). */
  get size(): number {
    return this.#blocks.size;
  }

  clear(): void {
    this.#blocks.clear();
  }

  /** An earlier time never shortens a block already in place; blocks that have ended are dropped. */
  #extend(id: string, until: number): void {
    const now = this.#clock.now();
    for (const [other, end] of this.#blocks) if (end <= now) this.#blocks.delete(other);
    this.#blocks.set(id, Math.max(this.#blocks.get(id) ?? 0, until));
  }
}

class MessageBackoff implements ScopedBackoff {
  readonly #platform: string;
  readonly #workspaceId: string;
  readonly #channelId: string;
  /** The scopes this message is in: its workspace, its channel, and the route buckets it has learned. */
  readonly #joined: Set<string>;
  readonly #blocks: ReadonlyMap<string, number>;
  readonly #extend: (id: string, until: number) => void;

  constructor(platform: string, conversation: Conversation, blocks: ReadonlyMap<string, number>, extend: (id: string, until: number) => void) {
    const workspace = conversation.workspace ?? '';
    this.#platform = platform;
    this.#workspaceId = JSON.stringify([platform, 'workspace', workspace]);
    this.#channelId = JSON.stringify([platform, 'channel', workspace, conversation.id]);
    this.#joined = new Set([this.#workspaceId, this.#channelId]);
    this.#blocks = blocks;
    this.#extend = extend;
  }

  get until(): number {
    let until = 0;
    for (const id of this.#joined) until = Math.max(until, this.#blocks.get(id) ?? 0);
    return until;
  }

  extend(scope: RateLimitScope, until: number): void {
    const id = scope.kind === 'workspace' ? this.#workspaceId
      : scope.kind === 'channel' ? this.#channelId
      : JSON.stringify([this.#platform, 'route', scope.key]);
    this.#joined.add(id);
    this.#extend(id, until);
  }
}
