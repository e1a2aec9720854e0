#!/usr/bin/env node
// Entry point for `npm start` and the `meetme-bot` bin: runs the TypeScript sources through tsx's
// loader so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { runFromCli } = await import('./cli.ts');
await runFromCli();
