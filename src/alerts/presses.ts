import { z } from 'zod';

/**
 * Ack, resolve and silence pressed on a replica that does not own the incidents: applied there
 * (so its answer is right) and queued for the owner (Coordination.send), which applies them too and
 * edits the messages. The owner takes the whole queue each second in one atomic step, so a press
 * forwarded by two replicas at once, or while the owner reads, is neither lost nor applied twice.
 */

export interface ForwardedPress {
  readonly kind: 'ack' | 'resolve' | 'silence';
  readonly id: string;
  readonly by: string;
  readonly durationMs?: number;
}

export const PRESSES_QUEUE = 'alerts.presses.v1';

const pressSchema = z.object({
  kind: z.enum(['ack', 'resolve', 'silence']), id: z.string(), by: z.string(), durationMs: z.number().optional(),
});

export function encodePress(press: ForwardedPress): string {
  return JSON.stringify(press);
}

/** A queued press, or undefined for one that is not (another version's, or damaged): skipped, never thrown. */
export function decodePress(text: string): ForwardedPress | undefined {
  try {
    const parsed = pressSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const { kind, id, by, durationMs } = parsed.data;
    return durationMs === undefined ? { kind, id, by } : { kind, id, by, durationMs };
  } catch {
    return undefined;
  }
}
