import { globMatch } from '../core/policy.ts';
import { classifyCause } from './causes.ts';
import type { AlertRule } from './rules.ts';
import type { AlertSignal } from './signals.ts';

/** Whether a rule wants to hear of a signal. Pure; silences and storms are the engine's business. */
export function ruleMatches(rule: AlertRule, signal: AlertSignal): boolean {
  if (!rule.enabled || rule.when !== signal.kind) return false;
  if (!globMatch(rule.pbx, signal.pbx) || !globMatch(rule.rooms, signal.room)) return false;
  if (!numberMatches(rule.caller, signal.callerNum)) return false;
  // A conference participant dialled the room; callee patterns look at the room's number.
  if (!numberMatches(rule.callee, signal.room)) return false;
  if (rule.tech.length > 0 && (signal.tech === undefined || !rule.tech.some((t) => t.toLowerCase() === signal.tech?.toLowerCase()))) return false;
  if (signal.durationSec !== undefined && signal.durationSec < rule.minDurationSec) return false;
  switch (signal.kind) {
    case 'hangup':
      return signal.cause !== undefined && rule.causes.includes(classifyCause(signal.cause));
    case 'vip_left':
      return signal.callerNum !== undefined && rule.vip.some((v) => globMatch(v, signal.callerNum ?? ''));
    default:
      return true;
  }
}

function numberMatches(pattern: string, value: string | undefined): boolean {
  if (pattern === '*') return true;
  return value !== undefined && globMatch(pattern, value);
}
