/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line) in turn.
 * Each exports `run(): Promise<void>` and prints ratios against a peer or a baseline measured in the
 * same run, never bare absolute times.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new TypeError(`${file} does not export run()`);
  process.stdout.write(`\n### ${file}\n`);
  await mod.run();
}
