import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../log.ts';
import type { BotMetrics } from './metrics.ts';

/**
 * The operations listener: `/livez` (the process answers; checks nothing else), `/readyz` (JSON,
 * each dependency; 503 while a required one is down) and `/metrics` (Prometheus text format). It
 * listens on its own address, loopback by default, apart from the player page that faces browsers.
 */

export interface CheckResult {
  readonly ok: boolean;
  readonly detail?: string;
}

export interface ReadinessCheck {
  readonly name: string;
  /** `pbx`, `sensor`, `adapter`, `store`, `redis` ... */
  readonly kind: string;
  /** A required dependency that is down makes the bot not ready. */
  readonly required: boolean;
  /** May ask the dependency (a store read); one that answers too late counts as down. */
  check(): CheckResult | Promise<CheckResult>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly { readonly name: string; readonly kind: string; readonly required: boolean; readonly ok: boolean; readonly detail?: string }[];
}

/** A check that has not answered by then is down: a probe must answer while the dependency hangs. */
export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

export async function readiness(checks: readonly ReadinessCheck[], timeoutMs = DEFAULT_CHECK_TIMEOUT_MS, clock: Clock = systemClock): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map(async (c) => {
    const r = await settleCheck(c, timeoutMs, clock);
    return { name: c.name, kind: c.kind, required: c.required, ok: r.ok, ...(r.detail === undefined ? {} : { detail: r.detail }) };
  }));
  return { ready: results.every((r) => r.ok || !r.required), checks: results };
}

async function settleCheck(c: ReadinessCheck, timeoutMs: number, clock: Clock): Promise<CheckResult> {
  let timer: TimerHandle | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = clock.setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => c.check()), late]);
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly metrics: BotMetrics;
  readonly checks: () => readonly ReadinessCheck[];
  readonly log: Logger;
  /** How long /readyz waits for each check (default DEFAULT_CHECK_TIMEOUT_MS). */
  readonly checkTimeoutMs?: number;
  readonly clock?: Clock;
}

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    handle(opts, req, res).catch((err: unknown) => {
      opts.log.error({ err }, 'ops request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function handle(opts: OpsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain', 'method not allowed\n');
    return;
  }
  switch (path) {
    case '/livez':
      send(res, 200, 'text/plain', 'ok\n');
      return;
    case '/readyz': {
      const report = await readiness(opts.checks(), opts.checkTimeoutMs, opts.clock);
      send(res, report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`);
      return;
    }
    case '/metrics':
      send(res, 200, opts.metrics.registry.contentType, await opts.metrics.registry.metrics());
      return;
    default:
      send(res, 404, 'text/plain', 'not found: try /livez, /readyz or /metrics\n');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}
