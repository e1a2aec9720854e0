import type { BotError } from '../errors.ts';
import { AmiLoginError, AmiUnreachableError } from './errors.ts';

/**
 * Where one PBX's AMI link stands, so an admin view can say what is wrong and how to fix it: a
 * refused login (wrong username or secret), an unreachable PBX (down, wrong address, firewall), or
 * a link that was up and dropped (or failed after the TCP connect, as with TLS). Each error's
 * `adminHint` names the fix. `since` is the clock's time of entering the status; `nextAttemptAt`
 * when the client tries again. A refused action (`AmiPermissionDeniedError`) is no link state: the
 * link stays up.
 */
export type AmiLinkState =
  | { readonly status: 'stopped' }
  | { readonly status: 'connecting'; readonly since: number }
  | { readonly status: 'connected'; readonly since: number }
  | { readonly status: 'login_refused'; readonly since: number; readonly nextAttemptAt?: number; readonly error: AmiLoginError }
  | { readonly status: 'unreachable'; readonly since: number; readonly nextAttemptAt?: number; readonly error: AmiUnreachableError }
  | { readonly status: 'down'; readonly since: number; readonly nextAttemptAt?: number; readonly error: BotError };

export type AmiLinkStatus = AmiLinkState['status'];

/** The link state a failed connect attempt (or a lost link) leaves behind. */
export function failedState(error: BotError, since: number): AmiLinkState {
  if (error instanceof AmiLoginError) return { status: 'login_refused', since, error };
  if (error instanceof AmiUnreachableError) return { status: 'unreachable', since, error };
  return { status: 'down', since, error };
}
