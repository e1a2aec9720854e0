import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The relative-import graph of TypeScript sources, type-only imports included: a type cycle still
 * ties modules together and is what lets a value cycle creep in later.
 */

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
const DYNAMIC = /import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative specifiers a module imports or re-exports, comments stripped first. */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  for (const re of [IMPORT, DYNAMIC]) {
    for (const m of code.matchAll(re)) if (m[1] !== undefined) specs.push(m[1]);
  }
  return specs;
}

/** file → files it imports, for every file under `roots`; paths relative to `base`. */
export function importGraph(base: string, roots: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const root of roots) {
    for (const file of sourceFiles(join(base, root))) {
      const targets = importsOf(readFileSync(file, 'utf8'))
        .filter((s) => s.endsWith('.ts'))
        .map((s) => relative(base, resolve(dirname(file), s)));
      graph.set(relative(base, file), targets);
    }
  }
  return graph;
}

/** Every cycle found by depth-first search, each as the path that closes on its first file. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (seen === undefined && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
