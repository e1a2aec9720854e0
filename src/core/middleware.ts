import { InternalError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** A cross-cutting step around the core's handling of one inbound event (Koa-style onion). */
export type Middleware<C> = (ctx: C, next: () => Promise<void>) => Promise<void>;

/** Runs the middleware in order; each decides whether and when the rest runs. */
export function compose<C>(middleware: readonly Middleware<C>[]): (ctx: C) => Promise<void> {
  return (ctx) => {
    let lastIndex = -1;
    const run = async (i: number): Promise<void> => {
      if (i <= lastIndex) throw new InternalError('middleware called next() twice');
      lastIndex = i;
      const step = middleware[i];
      if (step !== undefined) await step(ctx, () => run(i + 1));
    };
    return run(0);
  };
}

/** Wraps an ack so only the first call reaches the platform; later calls share its result. */
export function ackOnce(ack: () => Promise<void>): () => Promise<void> {
  let sent: Promise<void> | undefined;
  return () => {
    sent ??= ack();
    return sent;
  };
}

export interface AckContext {
  readonly ack: () => Promise<void>;
  readonly correlationId: string;
}

/**
 * Acknowledges first, before any slow work, for every adapter alike. An ack that fails or is still
 * pending at the platform's deadline is logged and the command still runs: its reply may yet arrive.
 * `logger` carries no `component`: this step sets its own, and pino would repeat the key.
 */
export function ackFirst<C extends AckContext>(deadlineMs: number, logger: Logger): Middleware<C> {
  const log = logger.child({ component: 'ack' });
  return async (ctx, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    try {
      const result = await Promise.race([ctx.ack().then(() => 'sent' as const), late]);
      if (result === 'late') log.warn({ correlationId: ctx.correlationId, deadlineMs }, 'ack still pending at the platform deadline');
    } catch (err) {
      log.warn({ err, correlationId: ctx.correlationId }, 'ack failed');
    } finally {
      clearTimeout(timer);
    }
    await next();
  };
}
