/**
 * An immutable string-keyed map for a PBX's rooms: `with`/`without` copy two 32-slot arrays and one
 * small leaf, not the whole map, so a PBX with thousands of rooms gets a new state per event cheaply.
 * Iteration order is by hash, not insertion order; callers that show lists sort them.
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Entry<V> = readonly [string, V];
type Leaf<V> = readonly Entry<V>[];
type Branch<V> = readonly (Leaf<V> | undefined)[];

function hash(key: string): number {
  // FNV-1a: cheap, and spreads short numeric room names ("200", "201") well.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function findIn<V>(leaf: Leaf<V> | undefined, key: string): number {
  if (leaf === undefined) return -1;
  for (let i = 0; i < leaf.length; i++) if ((leaf[i] as Entry<V>)[0] === key) return i;
  return -1;
}

const EMPTY_ROOT: readonly (Branch<never> | undefined)[] = new Array<undefined>(WIDTH).fill(undefined);

export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly root: readonly (Branch<V> | undefined)[],
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(EMPTY_ROOT, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [k, v] of entries) map = map.with(k, v);
    return map;
  }

  private leaf(key: string): Leaf<V> | undefined {
    const h = hash(key);
    return this.root[(h >>> BITS) & MASK]?.[h & MASK];
  }

  get(key: string): V | undefined {
    const leaf = this.leaf(key);
    const i = findIn(leaf, key);
    return i < 0 ? undefined : (leaf as Leaf<V>)[i]?.[1];
  }

  has(key: string): boolean {
    return findIn(this.leaf(key), key) >= 0;
  }

  /** A map with `key` set to `value`; this one is unchanged (and returned when nothing differs). */
  with(key: string, value: V): PersistentMap<V> {
    const h = hash(key);
    const hi = (h >>> BITS) & MASK;
    const lo = h & MASK;
    const branch = this.root[hi];
    const leaf = branch?.[lo];
    const i = findIn(leaf, key);
    if (i >= 0 && (leaf as Leaf<V>)[i]?.[1] === value) return this;
    const nextLeaf = leaf ? leaf.slice() : [];
    if (i >= 0) nextLeaf[i] = [key, value];
    else nextLeaf.push([key, value]);
    return this.replaceLeaf(hi, lo, branch, nextLeaf, i >= 0 ? this.size : this.size + 1);
  }

  /** A map without `key`; this one when `key` is absent. */
  without(key: string): PersistentMap<V> {
    const h = hash(key);
    const hi = (h >>> BITS) & MASK;
    const lo = h & MASK;
    const branch = this.root[hi];
    const leaf = branch?.[lo];
    const i = findIn(leaf, key);
    if (i < 0 || leaf === undefined) return this;
    const nextLeaf = leaf.filter((_, j) => j !== i);
    return this.replaceLeaf(hi, lo, branch, nextLeaf.length > 0 ? nextLeaf : undefined, this.size - 1);
  }

  private replaceLeaf(hi: number, lo: number, branch: Branch<V> | undefined, leaf: Leaf<V> | undefined, size: number): PersistentMap<V> {
    const nextBranch = branch ? branch.slice() : new Array<Leaf<V> | undefined>(WIDTH).fill(undefined);
    nextBranch[lo] = leaf;
    const root = this.root.slice();
    root[hi] = nextBranch;
    return new PersistentMap(root, size);
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  *entries(): MapIterator<[string, V]> {
    for (const branch of this.root) {
      if (branch === undefined) continue;
      for (const leaf of branch) if (leaf) for (const [k, v] of leaf) yield [k, v];
    }
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}
