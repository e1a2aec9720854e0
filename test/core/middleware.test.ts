import { describe, expect, it } from 'vitest';
import { ackFirst, ackOnce, compose, type Middleware } from '../../src/core/middleware.ts';
import { silentLogger } from '../../src/log.ts';

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
    await Promise.all([ack(), ack()]);
    await ack();
    expect(calls).toBe(1);
  });

  it('acks before the rest runs, and carries on when the ack misses the deadline', async () => {
    const order: string[] = [];
    const hanging = { correlationId: 'x', ack: () => { order.push('ack'); return new Promise<void>(() => {}); } };
    await compose([ackFirst(5, silentLogger()), async () => { order.push('work'); }])(hanging);
    expect(order).toEqual(['ack', 'work']);
  });

  it('carries on when the ack fails', async () => {
    let ran = false;
    const failing = { correlationId: 'x', ack: () => Promise.reject(new Error('platform said no')) };
    await compose([ackFirst(1000, silentLogger()), async () => { ran = true; }])(failing);
    expect(ran).toBe(true);
  });
});
