import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedMap } from '../../src/conference/ordered-map.ts';
import { PersistentMap } from '../../src/conference/persistent-map.ts';

type Op = { readonly set: boolean; readonly key: string; readonly value: number };
const ops = fc.array(fc.record({ set: fc.boolean(), key: fc.string({ maxLength: 3 }), value: fc.integer() }), { maxLength: 200 });

function model(list: readonly Op[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of list) {
    if (o.set) m.set(o.key, o.value);
    else m.delete(o.key);
  }
  return m;
}

describe('PersistentMap', () => {
  it('holds what a Map holds after any sequence of sets and deletes, leaving old versions unchanged', () => {
    fc.assert(fc.property(ops, (list) => {
      let map = PersistentMap.empty<number>();
      const versions: [PersistentMap<number>, Map<string, number>][] = [];
      const expected = new Map<string, number>();
      for (const o of list) {
        map = o.set ? map.with(o.key, o.value) : map.without(o.key);
        if (o.set) expected.set(o.key, o.value);
        else expected.delete(o.key);
        versions.push([map, new Map(expected)]);
      }
      for (const [version, snapshot] of versions) {
        expect(version.size).toBe(snapshot.size);
        expect(new Map(version)).toEqual(snapshot);
        for (const k of snapshot.keys()) expect(version.get(k)).toBe(snapshot.get(k));
      }
    }), { numRuns: 50 });
  });

  it('returns itself when nothing changes', () => {
    const m = PersistentMap.empty<number>().with('a', 1);
    expect(m.with('a', 1)).toBe(m);
    expect(m.without('b')).toBe(m);
  });
});

describe('OrderedMap', () => {
  it('keeps insertion order and matches a Map after any sequence of sets and deletes', () => {
    fc.assert(fc.property(ops, (list) => {
      let map = OrderedMap.empty<number>();
      for (const o of list) map = o.set ? map.with(o.key, o.value) : map.without(o.key);
      expect([...map]).toEqual([...model(list)]);
      expect(map.size).toBe(model(list).size);
    }), { numRuns: 100 });
  });
});
