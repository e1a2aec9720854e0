import type { Clock } from '../core/clock.ts';
import type { Logger } from '../log.ts';

/** `EVENT_FLAG_SYSTEM` in Asterisk's manager.h, for a numeric `Events:` mask. */
const EVENT_FLAG_SYSTEM = 1;

/**
 * Whether an `Events:` mask lets `system` events (FullyBooted) through, read as Asterisk's
 * `strings_to_mask` reads it: digits are a bit mask, yes/on/true... mean all, otherwise class names.
 */
export function maskIncludesSystem(mask: string): boolean {
  const m = mask.trim().toLowerCase();
  if (m === '') return true;
  if (/^\d+$/.test(m)) return (Number(m) & EVENT_FLAG_SYSTEM) !== 0;
  if (['yes', 'true', 'y', 't', 'on'].includes(m)) return true;
  return m.split(',').some((c) => c.trim() === 'system' || c.trim() === 'all');
}

/**
 * Asterisk accepts logins while it is still loading modules, and answers conference actions with
 * "Invalid/unknown command" until it is done; it tells each session with `Event: FullyBooted`.
 * A user whose events or read classes leave out `system` never gets that event, hence the cap.
 * One per socket.
 */
export class BootWait {
  private booted = false;
  /** Set while waiting; called when FullyBooted arrives. */
  private onBooted: (() => void) | undefined;
  /** The wait ran out before FullyBooted came. */
  private expired = false;

  constructor(private readonly clock: Clock, private readonly waitMs: number, private readonly log: Logger) {}

  /** Resolves on FullyBooted, on `closed`, or after the cap; at once when the mask keeps the event away. */
  wait(eventsMask: string, closed: Promise<void>): Promise<void> {
    if (this.booted || !maskIncludesSystem(eventsMask)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.clock.clearTimeout(timer);
        this.onBooted = undefined;
        resolve();
      };
      const timer = this.clock.setTimeout(() => {
        this.expired = true;
        this.log.info({ bootWaitMs: this.waitMs }, 'no FullyBooted after login: going on without it');
        done();
      }, this.waitMs);
      this.onBooted = done;
      void closed.then(done);
    });
  }

  /** FullyBooted arrived; `connected` says whether the client already went on without it. */
  noteBooted(connected: boolean): void {
    if (this.booted) return;
    this.booted = true;
    if (this.onBooted !== undefined) {
      this.onBooted();
    } else if (this.expired && connected) {
      // The PBX was still starting when 'connected' went out, so the first sync may have seen it half loaded.
      this.log.warn({ bootWaitMs: this.waitMs }, 'FullyBooted came after bootWaitMs: raise bootWaitMs if this PBX boots slowly');
    }
  }
}
