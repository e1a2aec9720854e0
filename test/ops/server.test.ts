import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/ops/metrics.ts';
import { startOpsServer, type OpsServer, type ReadinessCheck } from '../../src/ops/server.ts';

let server: OpsServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

async function start(checks: ReadinessCheck[], metrics = new BotMetrics({ processMetrics: false })): Promise<OpsServer> {
  server = await startOpsServer({ host: '127.0.0.1', port: 0, metrics, checks: () => checks, log: pino({ level: 'silent' }) });
  return server;
}

const up = (name: string, kind: string, required = true): ReadinessCheck => ({ name, kind, required, check: () => ({ ok: true }) });
const down = (name: string, kind: string, required = true): ReadinessCheck => ({ name, kind, required, check: () => ({ ok: false, detail: 'unreachable since 12:03' }) });

describe('ops listener', () => {
  it('answers /livez without checking any dependency', async () => {
    const s = await start([down('pbx1', 'pbx')]);
    const res = await fetch(`${s.url}/livez`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('answers /readyz 200 with each check while every required dependency is up', async () => {
    const s = await start([up('pbx1', 'pbx'), up('store', 'store'), down('sensor1', 'sensor', false)]);
    const res = await fetch(`${s.url}/readyz`);
    expect(res.status).toBe(200);
    const body = await res.json() as { ready: boolean; checks: { name: string; ok: boolean }[] };
    expect(body.ready).toBe(true);
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([['pbx1', true], ['store', true], ['sensor1', false]]);
  });

  it('answers /readyz 503 naming the required dependency that is down', async () => {
    const s = await start([up('store', 'store'), down('slack', 'adapter')]);
    const res = await fetch(`${s.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, checks: [{ name: 'store' }, { name: 'slack', ok: false, detail: 'unreachable since 12:03' }] });
  });

  it('serves Prometheus text with the meetme_ metrics and their values', async () => {
    const metrics = new BotMetrics({ processMetrics: true });
    metrics.amiLinkUp.set({ pbx: 'pbx1' }, 1);
    metrics.amiEvents.inc({ pbx: 'pbx1', event: 'ConfbridgeJoin' }, 3);
    metrics.alerts.inc({ event: 'raised' });
    const s = await start([], metrics);
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('meetme_ami_link_up{pbx="pbx1"} 1');
    expect(text).toContain('meetme_ami_events_total{pbx="pbx1",event="ConfbridgeJoin"} 3');
    expect(text).toContain('meetme_alerts_total{event="raised"} 1');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('answers an unknown path 404 and a POST 405', async () => {
    const s = await start([]);
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
    expect((await fetch(`${s.url}/livez`, { method: 'POST' })).status).toBe(405);
  });
});
