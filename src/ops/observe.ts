import type { AmiLinkState } from '../ami/link-state.ts';
import type { AmiMessage } from '../ami/message.ts';
import type { AmiActionSettled } from '../ami/types.ts';
import type { AuditKind } from '../alerts/engine.ts';
import type { EditEvent } from '../core/edit-scheduler.ts';
import type { BotMetrics } from './metrics.ts';

/** What the metrics watch of a PBX connection: its AMI link's events and state. */
export interface ObservedLink {
  readonly pbx: string;
  readonly amiLink: {
    on(event: 'event', listener: (msg: AmiMessage) => void): unknown;
    on(event: 'state', listener: (state: AmiLinkState) => void): unknown;
    on(event: 'actionSettled', listener: (settled: AmiActionSettled) => void): unknown;
  };
}

/** Counts AMI events by type, link ups and reconnects, and times actions, per PBX. */
export function observeLinks(metrics: BotMetrics, links: readonly ObservedLink[]): void {
  for (const { pbx, amiLink } of links) {
    let wasUp = false;
    metrics.amiLinkUp.set({ pbx }, 0);
    amiLink.on('event', (msg) => metrics.amiEvents.inc({ pbx, event: eventName(msg) }));
    amiLink.on('actionSettled', ({ action, outcome, durationMs }) => {
      metrics.amiActionDuration.observe({ pbx, action: foldedName(action), outcome }, durationMs / 1000);
    });
    amiLink.on('state', (state) => {
      const up = state.status === 'connected';
      metrics.amiLinkUp.set({ pbx }, up ? 1 : 0);
      if (up && wasUp) metrics.amiReconnects.inc({ pbx });
      if (up) wasUp = true;
    });
  }
}

function eventName(msg: AmiMessage): string {
  return foldedName(msg.get('Event') ?? 'none');
}

/** Oddly spelled event and action names are folded so a broken PBX cannot grow the label set. */
function foldedName(name: string): string {
  return /^[A-Za-z]{1,40}$/.test(name) ? name : 'other';
}

const ALERT_EVENTS: Readonly<Record<AuditKind, string>> = {
  alert_raised: 'raised', alert_acked: 'acked', alert_resolved: 'resolved', alert_silenced: 'silenced',
  alert_escalated: 'escalated', storm_started: 'storm_started', storm_ended: 'storm_ended',
};

export function countAlert(metrics: BotMetrics, kind: AuditKind): void {
  metrics.alerts.inc({ event: ALERT_EVENTS[kind] });
}

/** For `StatusServiceDeps.onEdit`: platforms are adapter names, a handful at most. */
export function countStatusEdit(metrics: BotMetrics): (platform: string, event: EditEvent) => void {
  return (platform, event) => metrics.statusEdits.inc({ platform, outcome: event });
}
