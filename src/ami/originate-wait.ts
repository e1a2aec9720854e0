import type { AmiActionRequest, AmiFieldValue } from './types.ts';

/** Asterisk's Originate dial timeout when the action has no `Timeout` field. */
export const DEFAULT_ORIGINATE_TIMEOUT_MS = 30_000;

/**
 * How long an async Originate waits for its `OriginateResponse`: the event comes only when the dial
 * ends, so the dial timeout (the action's `Timeout`, else Asterisk's default) plus the usual answer time.
 */
export function originateWaitMs(fields: AmiActionRequest['fields'], actionTimeoutMs: number): number {
  const value = Object.entries(fields ?? {}).find(([k]) => k.toLowerCase() === 'timeout')?.[1];
  const dial = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
  return (dial !== undefined && Number.isFinite(dial) && dial >= 0 ? dial : DEFAULT_ORIGINATE_TIMEOUT_MS) + actionTimeoutMs;
}

/** The fields of an Originate sent with `Async: true`, whatever spelling of `Async` the caller used. */
export function asyncOriginateFields(fields: AmiActionRequest['fields']): Record<string, AmiFieldValue | undefined> {
  const out: Record<string, AmiFieldValue | undefined> = {};
  for (const [k, v] of Object.entries(fields ?? {})) if (k.toLowerCase() !== 'async') out[k] = v;
  out['Async'] = 'true';
  return out;
}
