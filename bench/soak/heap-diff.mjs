// node bench/soak/heap-diff.mjs A.heapsnapshot B.heapsnapshot
// What is new in B (ids absent from A), grouped by type and name; the old objects that hold the
// new ones (boundary), with the new bytes reachable from each through new objects only; and, for
// the largest, every retainer path (not just the first) up to a GC root, several levels deep.
import { readFileSync } from 'node:fs';

const load = (file) => {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const m = s.snapshot.meta;
  const nf = m.node_fields.length, ef = m.edge_fields.length;
  const nodeTypes = m.node_types[0], edgeTypes = m.edge_types[0];
  const n = s.nodes.length / nf;
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) { firstEdge[i] = e; e += s.nodes[i * nf + 4] * ef; firstEdge[i + 1] = e; }
  return { s, nf, ef, nodeTypes, edgeTypes, n, firstEdge };
};
const [fa, fb] = process.argv.slice(2);
const A = load(fa);
const oldIds = new Set();
for (let i = 0; i < A.n; i++) oldIds.add(A.s.nodes[i * A.nf + 2]);
const B = load(fb);
const newIds = new Set();
for (let i = 0; i < B.n; i++) newIds.add(B.s.nodes[i * B.nf + 2]);
// In A: for each object that survives into B, the bytes it held that are gone in B (a ring turning
// over holds as much new as it dropped, and is not growth).
const goneBehind = new Map();
{
  const { s: sa, nf: nfa, ef: efa, firstEdge: fe, n: na } = A;
  const NA = sa.nodes, EA = sa.edges, weak = (e) => { const t = A.edgeTypes[EA[e]]; return t === 'weak' || t === 'shortcut'; };
  const gone = new Uint8Array(na);
  for (let i = 0; i < na; i++) if (!newIds.has(NA[i * nfa + 2])) gone[i] = 1;
  const claimedA = new Uint8Array(na);
  for (let r = 0; r < na; r++) {
    if (gone[r]) continue;
    let bytes = 0; const stack = [];
    for (let e = fe[r]; e < fe[r + 1]; e += efa) { const t = EA[e + 2] / nfa; if (!weak(e) && gone[t] && !claimedA[t]) { claimedA[t] = 1; stack.push(t); } }
    while (stack.length) { const x = stack.pop(); bytes += NA[x * nfa + 3]; for (let e = fe[x]; e < fe[x + 1]; e += efa) { const t = EA[e + 2] / nfa; if (!weak(e) && gone[t] && !claimedA[t]) { claimedA[t] = 1; stack.push(t); } } }
    if (bytes > 0) goneBehind.set(NA[r * nfa + 2], bytes);
  }
  let totalA = 0; for (let i = 0; i < na; i++) totalA += NA[i * nfa + 3];
  console.log(`heap A ${(totalA / 1e6).toFixed(2)} MB`);
}
A.s = null;
const { s, nf, ef, nodeTypes, edgeTypes, n, firstEdge } = B;
const N = s.nodes, E = s.edges, S = s.strings;
const type = (i) => nodeTypes[N[i * nf]];
const name = (i) => String(S[N[i * nf + 1]]).slice(0, 80).replace(/\s+/g, ' ');
const size = (i) => N[i * nf + 3];
const isNew = new Uint8Array(n);
for (let i = 0; i < n; i++) if (!oldIds.has(N[i * nf + 2])) isNew[i] = 1;
const edgeName = (e) => { const t = edgeTypes[E[e]]; const v = E[e + 1]; return t === 'element' || t === 'hidden' ? `[${v}]` : String(S[v]); };
const skipEdge = (e) => { const t = edgeTypes[E[e]]; return t === 'weak' || t === 'shortcut'; };
// reverse edges
const rc = new Uint32Array(n + 1);
for (let i = 0; i < n; i++) for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) if (!skipEdge(e)) rc[E[e + 2] / nf + 1]++;
for (let i = 0; i < n; i++) rc[i + 1] += rc[i];
const rFrom = new Uint32Array(rc[n]), rEdge = new Uint32Array(rc[n]), fill = rc.slice();
for (let i = 0; i < n; i++) for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) if (!skipEdge(e)) { const t = E[e + 2] / nf; rFrom[fill[t]] = i; rEdge[fill[t]++] = e; }

let total = 0; const groups = new Map();
for (let i = 0; i < n; i++) if (isNew[i]) { total += size(i); const k = `${type(i)} ${type(i) === 'string' || type(i) === 'concatenated string' || type(i) === 'sliced string' ? '' : name(i)}`; const g = groups.get(k) ?? [0, 0]; g[0]++; g[1] += size(i); groups.set(k, g); }
let totalB = 0; for (let i = 0; i < n; i++) totalB += size(i);
console.log(`heap B ${(totalB / 1e6).toFixed(2)} MB; new objects: ${(total / 1e6).toFixed(2)} MB`);
for (const [k, [c, b]] of [...groups].sort((x, y) => y[1][1] - x[1][1]).slice(0, 25)) console.log(`  ${(b / 1e3).toFixed(0).padStart(7)} KB ${String(c).padStart(7)}  ${k}`);

// boundary: old nodes with edges to new nodes; claim new nodes reachable through new nodes only
const claimed = new Int32Array(n).fill(-1);
const roots = [];
for (let i = 0; i < n; i++) {
  if (isNew[i]) continue;
  let hasNew = false;
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) if (!skipEdge(e) && isNew[E[e + 2] / nf]) { hasNew = true; break; }
  if (hasNew) roots.push(i);
}
const reach = new Map();
for (const r of roots) {
  let bytes = 0, count = 0; const stack = [];
  for (let e = firstEdge[r]; e < firstEdge[r + 1]; e += ef) { const t = E[e + 2] / nf; if (!skipEdge(e) && isNew[t] && claimed[t] < 0) { claimed[t] = r; stack.push(t); } }
  while (stack.length) { const x = stack.pop(); bytes += size(x); count++; for (let e = firstEdge[x]; e < firstEdge[x + 1]; e += ef) { const t = E[e + 2] / nf; if (!skipEdge(e) && isNew[t] && claimed[t] < 0) { claimed[t] = r; stack.push(t); } } }
  reach.set(r, [bytes - (goneBehind.get(N[r * nf + 2]) ?? 0), count]);
}
const byKind = new Map();
for (const [r, [b, c]] of reach) { const k = `${type(r)} ${name(r)}`; const g = byKind.get(k) ?? [0, 0, 0, r]; g[0] += b; g[1] += c; g[2]++; byKind.set(k, g); }
console.log('\nold holders of new objects (net: new bytes behind it in B minus bytes behind it in A that are gone in B):');
const top = [...byKind].sort((x, y) => y[1][0] - x[1][0]).slice(0, 20);
for (const [k, [b, c, h]] of top) console.log(`  ${(b / 1e3).toFixed(0).padStart(7)} KB ${String(c).padStart(7)} objs ${String(h).padStart(5)} holders  ${k}`);

const paths = (start, maxDepth, maxPaths) => {
  const out = [];
  const walk = (x, path, seen) => {
    if (out.length >= maxPaths) return;
    const ret = [];
    for (let k = rc[x]; k < rc[x + 1]; k++) ret.push(k);
    if (ret.length === 0 || path.length >= maxDepth || type(x) === 'synthetic') { out.push(path); return; }
    for (const k of ret) {
      const f = rFrom[k];
      if (seen.has(f)) continue;
      seen.add(f);
      walk(f, [...path, `${edgeName(rEdge[k])} <- ${type(f)} ${name(f)}${isNew[f] ? ' (new)' : ''}`], seen);
      seen.delete(f);
      if (out.length >= maxPaths) return;
    }
  };
  walk(start, [], new Set([start]));
  return out;
};
console.log('\nretainer paths of the largest holders (all paths, up to 6 each, 10 levels):');
const bigHolders = [...reach].sort((x, y) => y[1][0] - x[1][0]).slice(0, Number(process.env.HOLDERS ?? 8));
for (const [r, [b]] of bigHolders) {
  console.log(`\n* ${type(r)} ${name(r)} id ${N[r * nf + 2]}: ${(b / 1e3).toFixed(0)} KB net behind it`);
  const sample = []; for (let e = firstEdge[r]; e < firstEdge[r + 1] && sample.length < 6; e += ef) { const t = E[e + 2] / nf; if (isNew[t] && claimed[t] === r) sample.push(`${edgeName(e)} -> ${type(t)} ${name(t)}`); }
  console.log(`  holds: ${sample.join(' | ')}`);
  for (const p of paths(r, 10, 6)) console.log(`  ${p.join('  ')}`);
}
