/**
 * An immutable string-keyed map that keeps insertion order: a room's participants in join order.
 * Replacing a value (talking, muted) copies only the values array and shares the keys and their
 * index with the previous version, which is what most conference events do.
 */

/** Below this size a linear scan beats building a Map index. */
const INDEX_FROM = 12;

interface IndexHolder {
  map: Map<string, number> | undefined;
}

export class OrderedMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly ks: readonly string[],
    private readonly vs: readonly V[],
    private readonly index: IndexHolder,
  ) {}

  static empty<V>(): OrderedMap<V> {
    return new OrderedMap<V>([], [], { map: undefined });
  }

  static from<V>(entries: Iterable<readonly [string, V]>): OrderedMap<V> {
    if (entries instanceof OrderedMap) return entries as OrderedMap<V>;
    const ks: string[] = [];
    const vs: V[] = [];
    const seen = new Map<string, number>();
    for (const [k, v] of entries) {
      const at = seen.get(k);
      if (at !== undefined) {
        vs[at] = v;
        continue;
      }
      seen.set(k, ks.length);
      ks.push(k);
      vs.push(v);
    }
    return new OrderedMap(ks, vs, { map: undefined });
  }

  get size(): number {
    return this.ks.length;
  }

  private indexOf(key: string): number {
    if (this.ks.length < INDEX_FROM) return this.ks.indexOf(key);
    let map = this.index.map;
    if (map === undefined) {
      map = new Map(this.ks.map((k, i) => [k, i] as const));
      this.index.map = map;
    }
    return map.get(key) ?? -1;
  }

  get(key: string): V | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.vs[i];
  }

  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  /** Replaces the value in place (order kept) or appends a new key. */
  with(key: string, value: V): OrderedMap<V> {
    const i = this.indexOf(key);
    if (i >= 0) {
      if (this.vs[i] === value) return this;
      const vs = this.vs.slice();
      vs[i] = value;
      return new OrderedMap(this.ks, vs, this.index);
    }
    return new OrderedMap([...this.ks, key], [...this.vs, value], { map: undefined });
  }

  without(key: string): OrderedMap<V> {
    const i = this.indexOf(key);
    if (i < 0) return this;
    return new OrderedMap(this.ks.filter((_, j) => j !== i), this.vs.filter((_, j) => j !== i), { map: undefined });
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (let i = 0; i < this.ks.length; i++) fn(this.vs[i] as V, this.ks[i] as string, this);
  }

  *entries(): MapIterator<[string, V]> {
    for (let i = 0; i < this.ks.length; i++) yield [this.ks[i] as string, this.vs[i] as V];
  }

  *keys(): MapIterator<string> {
    yield* this.ks;
  }

  *values(): MapIterator<V> {
    yield* this.vs;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}
