import type { ActionWorld, PendingAction } from './platform.ts';

/**
 * User actions in flight and the report on lost ones: each lost action is named with who did what
 * to which target, when, and what the harness last saw of it, so an `actions lost` is diagnosable.
 */

/** A mute or unmute the PBX can show done: the caller's state is part of what was last seen. */
export interface MuteEffect {
  readonly world: ActionWorld;
  readonly room: string;
  readonly caller: string;
  readonly muted: boolean;
}

/** A command or button press answered through `answered`, or seen done on the PBX via `effect`. */
export function userAction(what: string, issuedAt: number, answered: () => boolean, effect?: MuteEffect): PendingAction {
  return {
    what,
    issuedAt,
    settled: () => answered() || (effect !== undefined && effect.world.effect(effect.room, effect.caller, effect.muted)),
    lastSeen: () => {
      const answer = answered() ? 'answered' : 'no answer';
      if (effect === undefined) return answer;
      return `${answer}; PBX: ${effect.caller} in ${effect.room} ${effect.world.callerState(effect.room, effect.caller)}, wanted ${effect.muted ? 'muted' : 'unmuted'}`;
    },
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The report line of an action given up at `lostAt`, read then (what is seen later may differ). */
export function lostActionLine(action: PendingAction, lostAt: number, runStartedAt: number, label = 'action lost'): string {
  return `${label}: ${action.what}; issued ${seconds(action.issuedAt - runStartedAt)} into the run, given up ${seconds(lostAt - action.issuedAt)} later; last seen: ${action.lastSeen()}`;
}

/** Lost-action lines kept for the report: the first `cap`, then a count of the rest. */
export function lostActionReport(lines: readonly string[], total: number, cap = 20, label = 'action lost'): string[] {
  return total > cap ? [...lines.slice(0, cap), `${label}: ${total - cap} more not listed`] : lines.slice(0, cap);
}
