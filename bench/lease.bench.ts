/**
 * The cost of the status lease: edits per second of one status message on a Redis store, without
 * coordination and with it (each edit then re-reads the stored ref and checks its fence), in the
 * same run against the same redis-server (started on a free port; needs `redis-server` installed).
 * Prints both rates and their ratio.
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Actor, Conversation } from '../src/core/adapter.ts';
import { systemClock } from '../src/core/clock.ts';
import { StatusService } from '../src/core/status.ts';
import { StatusOwnership } from '../src/core/status-ownership.ts';
import { RedisCoordination } from '../src/store/redis-coordination.ts';
import { openRedisStore } from '../src/store/redis.ts';
import { TestRedis } from '../test/helpers/redis-server.ts';
import { FakeAdapter, FakeDirectory, fakeRender, participant } from './status-fakes.ts';

const edits = Number(process.env['LEASE_BENCH_EDITS'] ?? '2000');
const conv: Conversation = { platform: 'slack', id: 'C-bench' };
const actor: Actor = { platform: 'slack', userId: 'U-bench', displayName: 'bench', groups: [] };
const log = pino({ level: 'silent' });

async function editsPerSecond(url: string, prefix: string, leased: boolean): Promise<number> {
  const store = await openRedisStore({ url, prefix });
  const coordination = leased ? new RedisCoordination({ connection: store.connection, leases: store.leases, clock: systemClock, logger: log }) : undefined;
  const ownership = coordination === undefined ? undefined : new StatusOwnership({ coordination, store, clock: systemClock });
  const directory = new FakeDirectory(systemClock);
  const adapter = new FakeAdapter(systemClock, { minEditIntervalMs: 0 });
  const service = new StatusService({
    directory, adapters: new Map([['slack', adapter]]), store, render: fakeRender, clock: systemClock, talkingIntervalMs: 0,
    ...(ownership === undefined ? {} : { ownership }),
  });
  await service.start();
  const tim = participant('200', 1);
  directory.join('200', tim);
  await service.watch('pbx1', '200', conv, actor);
  if (coordination !== undefined) {
    coordination.start();
    while (coordination.fence(`status:${JSON.stringify(['pbx1', '200', 'slack', '', 'C-bench'])}`) === undefined) await coordination.round();
  }
  const before = adapter.edits.length;
  const t0 = performance.now();
  for (let i = 0; i < edits; i++) {
    directory.mute('200', tim.uniqueid, i % 2 === 0);
    await service.idle();
  }
  const seconds = (performance.now() - t0) / 1000;
  const sent = adapter.edits.length - before;
  await service.stop();
  await coordination?.stop();
  await store.close();
  if (sent !== edits) throw new Error(`expected ${edits} edits, saw ${sent}`);
  return sent / seconds;
}

export async function run(): Promise<void> {
  const redis = await TestRedis.start();
  try {
    const without = await editsPerSecond(redis.url, 'bench-plain:', false);
    const withLease = await editsPerSecond(redis.url, 'bench-lease:', true);
    process.stdout.write(`status edits/s on Redis, ${edits} edits of one message\n`);
    process.stdout.write(`  without lease: ${without.toFixed(0)}\n  with lease:    ${withLease.toFixed(0)}\n`);
    process.stdout.write(`  lease cost: ${(without / withLease).toFixed(2)}x the time per edit (fence check and ref re-read: 2 Redis round trips)\n`);
  } finally {
    await redis.close();
  }
}
