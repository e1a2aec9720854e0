import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { startOpsServer, type OpsServer } from '../../src/ops/server.ts';
import { valueOf } from './scrape.ts';

let bot: RunningBot | undefined;
let ops: OpsServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await ops?.close();
  await bot?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  bot = undefined;
  ops = undefined;
});

/** The embedded default without the demo, with the ops listener the CLI would start. */
async function startWithOps(): Promise<RunningBot> {
  dir = mkdtempSync(join(tmpdir(), 'meetme-ops-'));
  const out = new PassThrough();
  out.resume();
  const running = await startBot(parseConfig({ dataDir: dir, listen: { port: 0 } }), { logger: silentLogger(), shellInput: new PassThrough(), shellOutput: out, demo: false });
  bot = running;
  ops = await startOpsServer({ host: '127.0.0.1', port: 0, metrics: running.metrics, checks: () => running.readiness(), log: silentLogger() });
  return running;
}

describe('the ops listener on a running bot', () => {
  it('reports each PBX and adapter on /readyz and AMI link and event metrics on /metrics', async () => {
    const running = await startWithOps();
    await expect.poll(async () => (await fetch(`${ops!.url}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    const ready = await (await fetch(`${ops!.url}/readyz`)).json() as { checks: { name: string; kind: string; ok: boolean }[] };
    expect(ready.checks).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'demo', kind: 'pbx', ok: true }),
      expect.objectContaining({ name: 'shell', kind: 'adapter', ok: true }),
    ]));
    running.embeddedPbx!.join('200', { num: '701', name: 'Tim' });
    await expect.poll(async () => (await fetch(`${ops!.url}/metrics`)).text(), { timeout: 10_000 }).toMatch(/meetme_ami_events_total\{pbx="demo",event="ConfbridgeJoin"\} [1-9]/);
    const metrics = await (await fetch(`${ops!.url}/metrics`)).text();
    expect(metrics).toContain('meetme_ami_link_up{pbx="demo"} 1');
  });

  it('reports the sensor and the store on /readyz, and AMI action, store, sensor and status edit metrics', async () => {
    const running = await startWithOps();
    await expect.poll(async () => (await fetch(`${ops!.url}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    const ready = await (await fetch(`${ops!.url}/readyz`)).json() as { checks: { name: string; kind: string; required: boolean; ok: boolean }[] };
    expect(ready.checks).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'demo-sensor', kind: 'sensor', required: false, ok: true }),
      { name: 'store', kind: 'store', required: true, ok: true },
    ]));

    running.embeddedPbx!.join('300', { num: '701', name: 'Tim', tech: 'PJSIP' });
    await expect.poll(() => running.registry.allRooms().some((r) => r.name === '300'), { timeout: 10_000 }).toBe(true);
    await running.shell!.exec('show 300');
    running.embeddedPbx!.join('300', { num: '702', name: 'Ana', tech: 'PJSIP' });
    const text = (): Promise<string> => fetch(`${ops!.url}/metrics`).then((res) => res.text());
    await expect.poll(async () => valueOf(await text(), 'meetme_status_edits_total', { platform: 'shell', outcome: 'sent' }) ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(async () => valueOf(await text(), 'meetme_sensor_requests_total', { sensor: 'demo-sensor', command: 'getversion', outcome: 'ok' }), { timeout: 10_000 }).toBe(1);
    const metrics = await text();
    expect(valueOf(metrics, 'meetme_ami_action_duration_seconds_count', { pbx: 'demo', action: 'Login', outcome: 'success' })).toBe(1);
    expect(valueOf(metrics, 'meetme_store_operation_duration_seconds_count', { operation: 'kv.get' })).toBeGreaterThan(0);
    expect(valueOf(metrics, 'meetme_listen_listeners')).toBe(0);
    expect(valueOf(metrics, 'meetme_listen_sensor_sessions')).toBe(0);
  });

  it('answers /readyz 503 while the PBX is down', async () => {
    const running = await startWithOps();
    void running.embeddedPbx!.restart(3_000);
    await expect.poll(async () => (await fetch(`${ops!.url}/readyz`)).status, { timeout: 10_000 }).toBe(503);
  });
});
