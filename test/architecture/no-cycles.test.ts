import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, importsOf } from './import-graph.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('import graph', () => {
  it('reads value, type-only, re-export and dynamic imports, not commented ones', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "export type * from './d.ts';",
      "const e = await import('./e.ts');",
      "// import { f } from './f.ts';",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importsOf(source)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts']);
  });

  it('finds a cycle made of type-only imports', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('has no import cycle in src/ or adapters/', () => {
    expect(findCycles(importGraph(repo, ['src', 'adapters']))).toEqual([]);
  });

  it('keeps the store and the kernel free of core imports', () => {
    const graph = importGraph(repo, ['src/store', 'src/kernel']);
    const intoCore = [...graph].flatMap(([file, targets]) => targets.filter((t) => t.startsWith('src/core/')).map((t) => `${file} → ${t}`));
    expect(intoCore).toEqual([]);
  });
});
