import { z } from 'zod';
import type { KeyValueStore } from '../store/types.ts';

/**
 * Ack, resolve and silence pressed on a replica that does not own the incidents: applied there
 * (so its answer is right) and queued in the store for the owner, which applies them too and edits
 * the messages. The queue is one small record, read and cleared by the owner each second.
 */

export interface ForwardedPress {
  readonly kind: 'ack' | 'resolve' | 'silence';
  readonly id: string;
  readonly by: string;
  readonly durationMs?: number;
}

export const PRESSES_KEY = 'alerts.presses.v1';

const pressesSchema = z.array(z.object({
  kind: z.enum(['ack', 'resolve', 'silence']), id: z.string(), by: z.string(), durationMs: z.number().optional(),
}));

function parse(text: string | undefined): ForwardedPress[] {
  if (text === undefined) return [];
  try {
    const parsed = pressesSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.map((p) => (p.durationMs === undefined ? { kind: p.kind, id: p.id, by: p.by } : { ...p, durationMs: p.durationMs })) : [];
  } catch {
    return [];
  }
}

export async function forwardPress(kv: KeyValueStore, press: ForwardedPress): Promise<void> {
  await kv.set(PRESSES_KEY, JSON.stringify([...parse(await kv.get(PRESSES_KEY)), press]));
}

/** The queued presses, removed from the store. */
export async function takePresses(kv: KeyValueStore): Promise<ForwardedPress[]> {
  const presses = parse(await kv.get(PRESSES_KEY));
  if (presses.length > 0) await (kv.delete?.(PRESSES_KEY) ?? kv.set(PRESSES_KEY, '[]'));
  return presses;
}
