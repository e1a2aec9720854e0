import { describe, expect, it } from 'vitest';
import { ackFirst, ackOnce, compose, type Middleware } from '../../src/core/middleware.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from './status-fakes.ts';

describe('middleware', () => {
  it('runs in onion order and lets a step stop the chain', async () => {
    const trail: string[] = [];
    const step = (name: string, stop = false): Middleware<string[]> => async (ctx, next) => {
      ctx.push(`${name}>`);
      if (!stop) await next();
      ctx.push(`<${name}`);
    };
    await compose([step('a'), step('b', true), step('c')])(trail);
    expect(trail).toEqual(['a>', 'b>', '<b', '<a']);
  });

  it('refuses next() called twice', async () => {
    const twice: Middleware<object> = async (_ctx, next) => { await next(); await next(); };
    await expect(compose([twice, async () => {}])({})).rejects.toThrow(/twice/);
  });

  it('acks once however often the ack is called', async () => {
    let calls = 0;
    const ack = ackOnce(async () => { calls++; });
    await Promise.all([ack('private'), ack('private')]);
    await ack('channel');
    expect(calls).toBe(1);
  });

  it('tells the platform the visibility of the reply with the ack', async () => {
    const told: string[] = [];
    const ctx = { correlationId: 'x', visibility: 'channel' as const, ack: (v: string) => { told.push(v); return Promise.resolve(); } };
    await compose([ackFirst(1000, silentLogger(), new FakeClock()), async () => {}])(ctx);
    expect(told).toEqual(['channel']);
  });

  it('acks before the rest runs, and carries on when the ack misses the deadline', async () => {
    const order: string[] = [];
    const clock = new FakeClock();
    const hanging = { correlationId: 'x', visibility: 'private' as const, ack: () => { order.push('ack'); return new Promise<void>(() => {}); } };
    const running = compose([ackFirst(3000, silentLogger(), clock), async () => { order.push('work'); }])(hanging);
    await clock.advance(2999);
    expect(order).toEqual(['ack']);
    await clock.advance(1);
    await running;
    expect(order).toEqual(['ack', 'work']);
  });

  it('carries on when the ack fails', async () => {
    let ran = false;
    const clock = new FakeClock();
    const failing = { correlationId: 'x', visibility: 'private' as const, ack: () => Promise.reject(new Error('platform said no')) };
    await compose([ackFirst(1000, silentLogger(), clock), async () => { ran = true; }])(failing);
    expect(clock.pendingTimers).toBe(0);
    expect(ran).toBe(true);
  });
});
