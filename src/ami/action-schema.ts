import { z } from 'zod';
import { amiBool } from './events.ts';
import type { AmiMessage } from './message.ts';
import type { AmiFieldValue, AmiLink } from './types.ts';
import { AmiActionError, AmiBadResponseError } from './errors.ts';

/**
 * What every typed action shares: zod helpers for answers (records from `AmiMessage.toRecord()` have
 * lower-cased keys), the check that turns a wrong shape into `ami_bad_response`, and list helpers.
 */

export const text = z.string();
export const textOr = (fallback: string) => z.string().optional().transform((v) => v ?? fallback);
export const flag = z.string().optional().transform((v) => amiBool(v));
export const count = z.string().regex(/^\s*\d+\s*$/).transform((v) => Number.parseInt(v, 10));
export const optionalInt = z
  .string()
  .optional()
  .transform((v) => {
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : undefined;
  });

/** `HH:MM:SS` (CoreShowChannel Duration) or plain seconds (Status Seconds). */
export function durationSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parts = value.trim().split(':');
  if (parts.some((p) => !/^\d+$/.test(p))) return undefined;
  return parts.reduce((total, p) => total * 60 + Number.parseInt(p, 10), 0);
}

export function validate<S extends z.ZodType>(action: string, schema: S, msg: AmiMessage): z.output<S> {
  const parsed = schema.safeParse(msg.toRecord());
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AmiBadResponseError(action, `${msg.event ?? msg.response ?? 'message'}: ${issues}`);
  }
  return parsed.data;
}

/** Items of an event list, minus anything that is not the expected item event. */
export function itemsNamed(items: readonly AmiMessage[], event: string): AmiMessage[] {
  const wanted = event.toLowerCase();
  return items.filter((m) => m.event?.toLowerCase() === wanted);
}

/** A list action whose "nothing there" answer is an error; that answer becomes an empty list. */
export async function listOrEmpty(link: AmiLink, action: string, fields: Record<string, AmiFieldValue | undefined>, empty: RegExp): Promise<AmiMessage[]> {
  try {
    return await link.listAction({ action, fields });
  } catch (err) {
    if (err instanceof AmiActionError && empty.test(err.amiMessage)) return [];
    throw err;
  }
}

export async function simple(link: AmiLink, action: string, fields: Record<string, AmiFieldValue | undefined> = {}): Promise<AmiMessage> {
  return link.action({ action, fields });
}
