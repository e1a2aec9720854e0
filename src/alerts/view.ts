import { createHash } from 'node:crypto';
import { tryEncodeAction, type Action } from '../core/actions.ts';
import type { AlertView, ButtonView } from '../core/views.ts';
import type { Incident } from './engine.ts';
import { severityOf, type AlertRule } from './rules.ts';
import { alertWords } from './text.ts';

/**
 * An incident as the platform-neutral AlertView every adapter renders: the words, and the Ack /
 * Resolve / Silence / Show room buttons while it is open, with Mute next to Ack on a poor line (muting
 * a bad line is often the fix). A resolved incident keeps its words and loses its buttons.
 */
export function alertView(inc: Incident, rule: AlertRule | undefined, now: number): AlertView {
  const words = alertWords(inc, now);
  return {
    kind: 'alert',
    severity: inc.status === 'resolved' ? 'info' : rule === undefined ? 'warning' : severityOf(rule),
    title: words.title,
    text: words.text,
    fields: words.fields,
    buttons: inc.status === 'resolved' ? [] : buttons(inc),
    ackedBy: inc.ack?.by,
    at: inc.openedAt,
  };
}

function buttons(inc: Incident): ButtonView[] {
  const { pbx, room } = inc.first;
  const base = { pbx, room, incident: inc.id } as const;
  const wanted: [Action, string, ButtonView['style']][] = [];
  if (inc.status === 'open') wanted.push([{ kind: 'alert', op: 'ack', ...base }, 'Ack', 'primary']);
  const line = inc.latest;
  if (!inc.digest && line.kind === 'poor_line' && line.uniqueid !== undefined && inc.muted === undefined) {
    wanted.push([{ kind: 'alert', op: 'mute', ...base, uniqueid: line.uniqueid }, 'Mute', 'default']);
  }
  wanted.push([{ kind: 'alert', op: 'resolve', ...base }, 'Resolve', 'default']);
  for (const hours of [1, 4, 24] as const) wanted.push([{ kind: 'alert', op: 'silence', hours, ...base }, `Silence ${hours}h`, 'default']);
  if (!inc.digest) wanted.push([{ kind: 'alert', op: 'show', ...base }, 'Show room', 'default']);
  const out: ButtonView[] = [];
  for (const [action, label, style] of wanted) {
    // A PBX or room name too long for a button id leaves that button out; the typed commands remain.
    const id = tryEncodeAction(action);
    if (id !== undefined) out.push({ id, label, style, confirm: undefined });
  }
  return out;
}

/** What an alert message was last sent as, kept per message: a hash, not the view, since hundreds of incidents stay a day. */
export function alertViewPrint(view: AlertView): string {
  return createHash('sha256').update(JSON.stringify(view)).digest('base64url');
}
