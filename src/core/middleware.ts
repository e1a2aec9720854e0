import { InternalError } from '../errors.ts';
import type { Visibility } from '../kernel/chat.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
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
export function ackOnce(ack: (visibility: Visibility) => Promise<void>): (visibility: Visibility) => Promise<void> {
  let sent: Promise<void> | undefined;
  return (visibility) => {
    sent ??= ack(visibility);
    return sent;
  };
}

export interface AckContext {
  readonly ack: (visibility: Visibility) => Promise<void>;
  /** Who will see the reply; the platform is told with the ack (Discord defers accordingly). */
  readonly visibility: Visibility;
  readonly correlationId: string;
}

/**
 * Acknowledges first, before any slow work, for every adapter alike. An ack that fails or is still
 * pending at the platform's deadline is logged and the command still runs: its reply may yet arrive.
 * `logger` carries no `component`: this step sets its own, and pino would repeat the key.
 */
export function ackFirst<C extends AckContext>(deadlineMs: number, logger: Logger, clock: Clock): Middleware<C> {
  const log = logger.child({ component: 'ack' });
  return async (ctx, next) => {
    let timer: TimerHandle | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = clock.setTimeout(() => resolve('late'), deadlineMs);
    });
    try {
      const result = await Promise.race([ctx.ack(ctx.visibility).then(() => 'sent' as const), late]);
      if (result === 'late') log.warn({ correlationId: ctx.correlationId, deadlineMs }, 'ack still pending at the platform deadline');
    } catch (err) {
      log.warn({ err, correlationId: ctx.correlationId }, 'ack failed');
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
    await next();
  };
}
