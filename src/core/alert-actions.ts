import { runAction } from './action-handlers.ts';
import type { Action } from './actions.ts';
import type { DispatchEnv, DispatcherDeps, Outcome } from './dispatch-types.ts';
import { AlertNotFoundError, NotAvailableYetError } from './errors.ts';
import { RoomOps } from './room-ops.ts';
import { replyView } from './views.ts';

type AlertAction = Extract<Action, { kind: 'alert' }>;

/**
 * Ack / Resolve / Silence / Show room / Mute on an alert message. The alert engine edits the message
 * itself (every copy of it, escalations included); the press is answered privately. Mute is the
 * room's own Mute press, checked against the room as it is now (the caller may have left).
 */
export async function runAlertAction(action: AlertAction, deps: DispatcherDeps, env: DispatchEnv): Promise<Outcome> {
  if (action.op === 'mute') {
    const mute = { kind: 'mute', pbx: action.pbx, room: action.room, uniqueid: action.uniqueid, on: true } as const;
    const muted = await runAction(mute, new RoomOps(deps, false), { ...env, now: deps.now(), nativeDialogs: false });
    if (muted.detail === undefined) deps.alerts?.lineMuted(action.incident, env.actor);
    // The button sat on the alert, not on a status message: nothing to redraw here.
    return { view: muted.view, target: muted.target, ...(muted.detail === undefined ? {} : { detail: muted.detail }) };
  }
  if (action.op === 'show') {
    if (deps.watch === undefined) throw new NotAvailableYetError('Live status messages');
    await deps.watch.watch(action.pbx, action.room, env.conversation, env.actor);
    return { view: undefined, target: action.room };
  }
  if (deps.alerts === undefined) throw new NotAvailableYetError('Alerts', 'An admin can add rules under alerts.rules in the config.');
  const result = action.op === 'silence'
    ? deps.alerts.press('silence', action.incident, env.actor, action.hours)
    : deps.alerts.press(action.op, action.incident, env.actor);
  const what = result.headline ?? `alert ${action.incident}`;
  switch (result.outcome) {
    case 'not_found':
      throw new AlertNotFoundError(action.incident);
    case 'already_resolved':
      return { view: replyView('That alert is already resolved.'), target: what, detail: 'no change: already resolved' };
    case 'already_acked':
      return { view: replyView('That alert is already acknowledged.'), target: what, detail: 'no change: already acked' };
    case 'done': {
      const text = action.op === 'ack' ? 'Acknowledged: escalation stopped.'
        : action.op === 'resolve' ? 'Resolved.'
          : `Silenced for ${action.op === 'silence' ? action.hours : 0} h for this rule and room, and acknowledged.`;
      return { view: replyView(text, { tone: 'success' }), target: what };
    }
  }
}
