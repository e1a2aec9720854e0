import { formatDuration } from '../core/views.ts';
import { CAUSE_CLASS_TABLE } from './causes.ts';
import { ACK_EXPIRY, RECOVERY, type Incident } from './engine.ts';
import type { AlertSignal, PoorLineFigures } from './signals.ts';

/**
 * The words of an alert: one line on what happened, then the facts an on-call engineer looks up
 * (PBX, room, channel, Uniqueid, time). Pure; the view adds buttons and adapters the formatting.
 */

export interface AlertWords {
  readonly title: string;
  readonly text: string;
  readonly fields: readonly (readonly [label: string, value: string])[];
}

export function who(s: Pick<AlertSignal, 'callerName' | 'callerNum' | 'channel'>): string {
  if (s.callerName !== undefined && s.callerNum !== undefined && s.callerName !== s.callerNum) return `${s.callerName} (${s.callerNum})`;
  return s.callerName ?? s.callerNum ?? s.channel ?? 'a caller';
}

export function causeWords(s: Pick<AlertSignal, 'cause' | 'causeText' | 'techCause' | 'tech'>): string {
  if (s.cause === undefined) return 'no hangup cause';
  const text = s.causeText !== undefined && s.causeText !== '' ? ` ${s.causeText.toLowerCase()}` : '';
  const tech = s.techCause === undefined ? '' : ` (${s.tech === 'IAX2' ? 'IAX2' : 'SIP'} ${s.techCause})`;
  return `cause ${s.cause}${text}${tech}`;
}

function after(sec: number | undefined): string {
  return sec === undefined ? '' : `, after ${formatDuration(sec)}`;
}

/** `45 s` under a minute (as people say it), `3m 05s` above. */
function seconds(sec: number): string {
  return sec < 60 ? `${sec} s` : formatDuration(sec);
}

/** `MOS 2.1, 9% loss for 40 s`: the figures that made the line bad, worst first. */
export function poorLineWords(q: PoorLineFigures): string {
  const figures = [
    ...(q.mos === undefined ? [] : [`MOS ${q.mos.toFixed(1)}`]),
    ...(q.lossPct === undefined ? [] : [`${Math.round(q.lossPct)}% loss`]),
  ];
  return `${figures.length === 0 ? 'poor line' : figures.join(', ')} for ${seconds(q.poorSec)}`;
}

/** The one line that says what happened. */
export function headline(s: AlertSignal): string {
  const room = `room ${s.room}`;
  switch (s.kind) {
    case 'hangup': return `${who(s)} dropped from ${room} — ${causeWords(s)}${after(s.durationSec)}`;
    case 'vip_left': return `VIP ${who(s)} left ${room}${s.cause === undefined ? '' : ` — ${causeWords(s)}`}${after(s.durationSec)}`;
    case 'room_emptied': return `${room[0]?.toUpperCase()}${room.slice(1)} emptied${after(s.durationSec)}`;
    case 'ended_while_talking': return `${room[0]?.toUpperCase()}${room.slice(1)} ended while ${s.talkers.join(', ')} ${s.talkers.length === 1 ? 'was' : 'were'} talking`;
    case 'injection_died': return `${s.injection === 'stream' ? 'The stream' : 'Music'} in ${room} stopped by itself${after(s.durationSec)}`;
    case 'poor_line': return `${who(s)} in ${room}: ${s.quality === undefined ? 'poor line' : poorLineWords(s.quality)}`;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** What the incident's message says now: the event, then its state (folded drops, ack, resolve). */
export function alertWords(inc: Incident, now: number): AlertWords {
  return inc.digest ? digestWords(inc, now) : singleWords(inc);
}

function singleWords(inc: Incident): AlertWords {
  const s = inc.first;
  const fields: [string, string][] = [['PBX', s.pbx], ['Room', s.room]];
  if (s.channel !== undefined) fields.push(['Channel', s.channel]);
  if (s.uniqueid !== undefined) fields.push(['Uniqueid', s.uniqueid]);
  fields.push(['Time', iso(s.at)]);
  if (inc.count > 1) fields.push(['Repeats', `${inc.count} times, last at ${hhmm(inc.latest.at)} UTC`]);
  if (inc.recoveredAt !== undefined && inc.latest.quality !== undefined) fields.push(['Worst', poorLineWords(inc.latest.quality)]);
  return { title: titleOf(inc, headline(s)), text: stateLine(inc), fields };
}

function digestWords(inc: Incident, now: number): AlertWords {
  const end = inc.stormEndedAt ?? now;
  const minutes = Math.max(1, Math.round((end - inc.openedAt) / 60_000));
  const top = Object.entries(inc.tally).sort((a, b) => b[1] - a[1])[0];
  // Poor lines have no cause to rank.
  const topText = top === undefined || inc.first.kind === 'poor_line' ? '' : `, top ${/^\d+$/.test(top[0]) ? `cause ${top[0]}${causeName(Number(top[0]))}` : top[0]}`;
  const what = inc.first.kind === 'hangup' ? 'abnormal hangups' : `${inc.first.kind.replace(/_/g, ' ')} alerts`;
  const head = inc.stormEndedAt === undefined
    ? `${inc.count} ${what} on ${inc.pbxs.join(', ')} in the last ${minutes} min${topText}`
    : `Storm over: ${inc.count} ${what} on ${inc.pbxs.join(', ')} in ${minutes} min${topText}`;
  const fields: [string, string][] = [['Rule', inc.ruleId], ['Since', iso(inc.openedAt)]];
  if (inc.first.kind !== 'poor_line') fields.push(['By cause', Object.entries(inc.tally).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${k}: ${n}`).join(', ')]);
  return { title: titleOf(inc, head), text: stateLine(inc), fields };
}

function causeName(cause: number): string {
  const known = CAUSE_CLASS_TABLE.find(([c]) => c === cause);
  return known === undefined ? '' : ` (${known[2].toLowerCase()})`;
}

function titleOf(inc: Incident, head: string): string {
  return inc.status === 'resolved' ? `Resolved: ${head}` : head;
}

function stateLine(inc: Incident): string {
  const parts: string[] = [];
  if (inc.ack !== undefined) parts.push(`acked by ${inc.ack.by} at ${hhmm(inc.ack.at)} UTC`);
  if (inc.muted !== undefined) parts.push(`muted by ${inc.muted.by} at ${hhmm(inc.muted.at)} UTC`);
  if (inc.silencedUntil !== undefined) parts.push(`silenced until ${hhmm(inc.silencedUntil)} UTC`);
  if (inc.recoveredAt !== undefined) parts.push(`${RECOVERY} at ${hhmm(inc.recoveredAt)} UTC`);
  else if (inc.resolved?.by === ACK_EXPIRY) parts.push(`closed at ${hhmm(inc.resolved.at)} UTC, a day after the ack`);
  else if (inc.resolved !== undefined) parts.push(`resolved by ${inc.resolved.by} at ${hhmm(inc.resolved.at)} UTC`);
  if (parts.length === 0) return inc.digest && inc.stormEndedAt === undefined ? 'Storm in progress: one message for the whole storm.' : 'Not acknowledged yet.';
  return `${parts.join('; ')}.`;
}
