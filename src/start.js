#!/usr/bin/env node
// `npm start`: runs the compiled bot from dist/, building it first when dist/ is missing or older
// than the sources (a fresh clone, or after a pull), so `npm install && npm start` needs no other step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function stale() {
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'bin.js'))) return true;
  const sources = ['src', 'adapters'].map((d) => join(root, d)).filter((d) => existsSync(d));
  const built = statSync(stamp).mtimeMs;
  return sources.some((d) => newestMtime(d) > built) || statSync(join(root, 'package.json')).mtimeMs > built;
}

if (existsSync(join(root, 'src')) && stale()) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('dist/ is missing or out of date and TypeScript is not installed: run `npm install` (with dev dependencies), then `npm run build`.\n');
    process.exit(2);
  }
  process.stderr.write('Building the bot into dist/ (first start, or the sources changed) ...\n');
  const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (built.status !== 0) process.exit(built.status ?? 1);
  const finished = spawnSync(process.execPath, [join(root, 'src', 'tools', 'finish-build.js')], { stdio: 'inherit', cwd: root });
  if (finished.status !== 0) process.exit(finished.status ?? 1);
}

await import(pathToFileURL(join(root, 'dist', 'bin.js')).href);
