import { writeFileSync } from 'node:fs';
import { configReference } from '../config-reference.ts';

/** `npm run docs:config`: rewrites docs/configuration.md from the config schema. */
const target = new URL('../../docs/configuration.md', import.meta.url);
writeFileSync(target, configReference());
process.stdout.write(`wrote ${target.pathname}\n`);
