import { performance } from 'node:perf_hooks';
import type { Store } from '../store/types.ts';
import type { BotMetrics } from './metrics.ts';

/**
 * The store with every operation timed into `meetme_store_operation_duration_seconds{operation}`
 * (`kv.get`, `watches.put`, `audit.query` ...) and its failures counted. A decorator, so every store
 * (SQLite, memory, Redis) is measured the same way without knowing about metrics. The operations are
 * the methods of the sub-stores, found at call time, so a method added to the interface is timed too.
 */

const PARTS = ['watches', 'audit', 'alerts', 'kv'] as const;

export function instrumentStore<S extends Store>(store: S, metrics: BotMetrics, now: () => number = () => performance.now()): S {
  const parts = new Map<string | symbol, object>(PARTS.map((part) => [part, timedPart(store[part], part, metrics, now)]));
  return new Proxy(store, {
    get(target, prop) {
      const part = parts.get(prop);
      if (part !== undefined) return part;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function timedPart<T extends object>(part: T, name: string, metrics: BotMetrics, now: () => number): T {
  return new Proxy(part, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const operation = `${name}.${prop}`;
      return (...args: unknown[]): unknown => {
        const started = now();
        const done = (failed: boolean): void => {
          metrics.storeOperationDuration.observe({ operation }, (now() - started) / 1000);
          if (failed) metrics.storeOperationErrors.inc({ operation });
        };
        let result: unknown;
        try {
          result = Reflect.apply(value, target, args);
        } catch (err) {
          done(true);
          throw err;
        }
        if (!(result instanceof Promise)) {
          done(false);
          return result;
        }
        return result.then(
          (settled: unknown) => { done(false); return settled; },
          (err: unknown) => { done(true); throw err; },
        );
      };
    },
  });
}
