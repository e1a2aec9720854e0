import { silentLogger } from '../../src/log.ts';
import type { BotMetrics } from '../../src/ops/metrics.ts';
import { startOpsServer, type OpsServer, type ReadinessCheck } from '../../src/ops/server.ts';

/** The ops listener on port 0, and reading its answers the way Prometheus and a load balancer do. */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] === undefined || m[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] ?? ''] = l[2] ?? '';
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the sample with exactly these labels, or undefined when there is none. */
export function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels);
  const found = parseSamples(text).find((s) => s.name === name
    && Object.keys(s.labels).length === want.length && want.every(([k, v]) => s.labels[k] === v));
  return found?.value;
}

/** `# TYPE name type` of a metric family. */
export function typeOf(text: string, name: string): string | undefined {
  return new RegExp(`^# TYPE ${name} (\\w+)$`, 'm').exec(text)?.[1];
}

export interface Ops {
  readonly server: OpsServer;
  metricsText(): Promise<string>;
  readyz(): Promise<{ status: number; body: ReadyBody }>;
}

export interface ReadyBody {
  readonly ready: boolean;
  readonly checks: { name: string; kind: string; required: boolean; ok: boolean; detail?: string }[];
}

export async function startOps(metrics: BotMetrics, checks: () => readonly ReadinessCheck[] = () => [], checkTimeoutMs?: number): Promise<Ops> {
  const server = await startOpsServer({
    host: '127.0.0.1', port: 0, metrics, checks, log: silentLogger(), ...(checkTimeoutMs === undefined ? {} : { checkTimeoutMs }),
  });
  return {
    server,
    metricsText: async () => (await fetch(`${server.url}/metrics`)).text(),
    async readyz() {
      const res = await fetch(`${server.url}/readyz`);
      return { status: res.status, body: await res.json() as ReadyBody };
    },
  };
}
