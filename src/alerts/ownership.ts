import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import { followLinkStep, type Coordination, type YieldState } from '../kernel/coordination.ts';
import { DEDUP_TTL_MS } from './engine.ts';
import { decodePress, encodePress, PRESSES_QUEUE, type ForwardedPress } from './presses.ts';

/**
 * Who delivers alerts when several replicas run. Every replica feeds the same PBX events through
 * the same reducer, and incident ids come from the signal (`incidentIdOf`), so every replica holds
 * the same incidents under the same ids and a button pressed on any of them names the right one.
 * One replica, the holder of the `alerts` lease, owns the incidents: it alone posts, edits, audits,
 * runs escalations and saves the state. Each post is also claimed once cluster-wide (a dedup key
 * with a TTL), so an owner that stalled and a successor never both post it.
 *
 * An owner that cannot see every PBX (one of its AMI links is down) would hold back the alerts the
 * others see, so it gives the lease up (`followLinks`) and wants it again once its links are back, or
 * after `yieldMs` when no replica took it (every replica is cut off from some PBX).
 */

export interface AlertOwnership {
  /** Whether this replica owns the incidents now. */
  owns(): boolean;
  /** Told when ownership is won (true) or lost (false). Returns the unsubscribe. */
  onChange(listener: (owned: boolean) => void): () => void;
  /** True for the one replica that may deliver `key` (one incident's post to one target). */
  claim(key: string): Promise<boolean>;
  /** Queues a press made on this (non-owning) replica for the owner. */
  forward(press: ForwardedPress): Promise<void>;
  /** The presses other replicas forwarded, taken off the queue (the owner). */
  takeForwarded(): Promise<ForwardedPress[]>;
}

export const ALERTS_LEASE = 'alerts';

export function alertOwnership(coordination: Coordination): AlertOwnership {
  coordination.want(ALERTS_LEASE);
  return {
    owns: () => coordination.fence(ALERTS_LEASE) !== undefined,
    onChange: (listener) => coordination.onChange((name, fence) => { if (name === ALERTS_LEASE) listener(fence !== undefined); }),
    claim: (key) => coordination.claimOnce(`alert-post:${key}`, DEDUP_TTL_MS),
    forward: (press) => coordination.send(PRESSES_QUEUE, encodePress(press)),
    takeForwarded: async () => (await coordination.receive(PRESSES_QUEUE)).flatMap((text) => decodePress(text) ?? []),
  };
}

/** A short id (it travels in button ids) that every replica derives alike from the incident's dedup key. */
export function incidentIdOf(dedupKey: string): string {
  return BigInt(`0x${createHash('sha256').update(dedupKey).digest('hex').slice(0, 13)}`).toString(36);
}

export interface FollowLinksOptions {
  readonly clock: Clock;
  /** Whether every AMI link of this replica is up. */
  readonly linksUp: () => boolean;
  readonly everyMs?: number;
  readonly yieldMs?: number;
}

/** Gives the `alerts` lease up while this replica is cut off from a PBX (see above); returns the stop. */
export function followLinks(coordination: Coordination, opts: FollowLinksOptions): () => void {
  let yielded: YieldState;
  let timer: TimerHandle | undefined;
  const check = (): void => {
    const step = followLinkStep(yielded, opts.linksUp(), coordination.fence(ALERTS_LEASE) !== undefined, opts.clock.now(), opts.yieldMs ?? 5000);
    yielded = step.state;
    if (step.act === 'want') coordination.want(ALERTS_LEASE);
    if (step.act === 'drop') void coordination.drop(ALERTS_LEASE).catch(() => undefined);
    timer = opts.clock.setTimeout(check, opts.everyMs ?? 1000);
    (timer as { unref?: () => void }).unref?.();
  };
  check();
  return () => {
    if (timer !== undefined) opts.clock.clearTimeout(timer);
  };
}

