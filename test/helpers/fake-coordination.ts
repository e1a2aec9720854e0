import type { Coordination } from '../../src/kernel/coordination.ts';

/**
 * Leases for replicas in one test process, with the semantics of the Redis ones that matter to the
 * callers: one holder per name, a fence that grows with each new holder, a fenced record per name,
 * and one-time claims. A test kills a member (its leases go to the next member wanting them, as a
 * lease expiry would), cuts one off from the lease store (`reachable = false`), or lets a member
 * keep believing it holds a name another has taken (`stale`).
 */
export class FakeCluster {
  readonly #holders = new Map<string, FakeMember>();
  readonly #fences = new Map<string, number>();
  readonly #records = new Map<string, { fence: number; value: string }>();
  readonly #claims = new Set<string>();
  readonly #queues = new Map<string, string[]>();
  readonly members: FakeMember[] = [];

  member(id: string): FakeMember {
    const m = new FakeMember(id, this);
    this.members.push(m);
    return m;
  }

  holder(name: string): FakeMember | undefined {
    return this.#holders.get(name);
  }

  /** Gives every unheld name to the first live member that wants it. */
  assign(): void {
    for (const m of this.members) {
      if (!m.alive || !m.reachable) continue;
      for (const name of m.wanted) {
        if (this.#holders.has(name)) continue;
        this.#holders.set(name, m);
        const fence = (this.#fences.get(name) ?? 0) + 1;
        this.#fences.set(name, fence);
        m.won(name, fence);
      }
    }
  }

  /** The member dies: its leases expire and pass on. */
  kill(m: FakeMember): void {
    m.alive = false;
    this.release(m);
    this.assign();
  }

  /** Hands `name` to `to` while the current holder keeps believing it holds it (a stalled process). */
  steal(name: string, to: FakeMember): void {
    this.#holders.set(name, to);
    const fence = (this.#fences.get(name) ?? 0) + 1;
    this.#fences.set(name, fence);
    to.won(name, fence);
  }

  release(m: FakeMember, name?: string): void {
    for (const [n, h] of [...this.#holders]) if (h === m && (name === undefined || n === name)) this.#holders.delete(n);
  }

  put(name: string, fence: number, value: string): boolean {
    if (fence < (this.#records.get(name)?.fence ?? 0)) return false;
    this.#records.set(name, { fence, value });
    return true;
  }

  valid(name: string, fence: number): boolean {
    return fence >= (this.#records.get(name)?.fence ?? 0);
  }

  send(queue: string, item: string): void {
    this.#queues.set(queue, [...(this.#queues.get(queue) ?? []), item]);
  }

  receive(queue: string): string[] {
    const items = this.#queues.get(queue) ?? [];
    this.#queues.delete(queue);
    return items;
  }

  claim(key: string): boolean {
    if (this.#claims.has(key)) return false;
    this.#claims.add(key);
    return true;
  }
}

export class FakeMember implements Coordination {
  alive = true;
  reachable = true;
  readonly wanted = new Set<string>();
  readonly #held = new Map<string, number>();
  readonly #listeners = new Set<(name: string, fence: number | undefined) => void>();

  constructor(readonly id: string, private readonly cluster: FakeCluster) {}

  won(name: string, fence: number): void {
    this.#held.set(name, fence);
    for (const l of this.#listeners) l(name, fence);
  }

  healthy(): boolean {
    return this.reachable;
  }

  want(name: string): void {
    this.wanted.add(name);
    this.cluster.assign();
  }

  async drop(name: string): Promise<void> {
    this.wanted.delete(name);
    this.#held.delete(name);
    if (this.cluster.holder(name) === this) this.cluster.release(this, name);
    this.cluster.assign();
  }

  fence(name: string): number | undefined {
    return this.alive && this.reachable ? this.#held.get(name) : undefined;
  }

  async fencedPut(name: string, fence: number, value: string): Promise<boolean> {
    this.#reach();
    return this.cluster.put(name, fence, value);
  }

  async fenceValid(name: string, fence: number): Promise<boolean> {
    this.#reach();
    return this.cluster.valid(name, fence);
  }

  async send(queue: string, item: string): Promise<void> {
    this.#reach();
    this.cluster.send(queue, item);
  }

  async receive(queue: string): Promise<string[]> {
    this.#reach();
    return this.cluster.receive(queue);
  }

  async claimOnce(key: string): Promise<boolean> {
    this.#reach();
    return this.cluster.claim(key);
  }

  onChange(listener: (name: string, fence: number | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #reach(): void {
    if (!this.reachable) throw new Error('lease store unreachable');
  }
}
