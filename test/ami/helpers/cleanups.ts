import { afterEach } from 'vitest';
import { ScriptedAmiServer } from './scripted-server.ts';

/** Teardown steps of the current test, run newest first after it. */
export const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A scripted AMI server on a free port, closed after the test. */
export async function server(): Promise<ScriptedAmiServer> {
  const s = await ScriptedAmiServer.start();
  cleanups.push(() => s.close());
  return s;
}
