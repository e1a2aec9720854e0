import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The bot's Prometheus metrics, on a registry of its own (never prom-client's global one, so tests
 * and several bots in one process do not share counters). Names follow Prometheus practice: the
 * `meetme_` prefix, base units (seconds), `_total` on counters, and no per-user labels.
 * @see https://prometheus.io/docs/practices/naming/
 */

export type EditResult = 'sent' | 'coalesced' | 'rate_limited' | 'failed';
export type AlertEvent = 'raised' | 'acked' | 'resolved' | 'silenced' | 'escalated' | 'folded' | 'storm_started' | 'storm_ended';

export class BotMetrics {
  readonly registry = new Registry();
  readonly amiLinkUp: Gauge<'pbx'>;
  readonly amiReconnects: Counter<'pbx'>;
  readonly amiEvents: Counter<'pbx' | 'event'>;
  readonly amiActionSeconds: Histogram<'action' | 'outcome'>;
  readonly statusEdits: Counter<'platform' | 'result'>;
  readonly alerts: Counter<'event'>;
  readonly listeners: Gauge;
  readonly sensorSessions: Gauge;
  readonly sensorPolls: Counter<'sensor' | 'outcome'>;
  readonly storeSeconds: Histogram<'operation'>;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.amiLinkUp = new Gauge({ name: 'meetme_ami_link_up', help: '1 while the AMI link to the PBX is logged in', labelNames: ['pbx'], registers });
    this.amiReconnects = new Counter({ name: 'meetme_ami_reconnects_total', help: 'AMI links re-established after a drop', labelNames: ['pbx'], registers });
    this.amiEvents = new Counter({ name: 'meetme_ami_events_total', help: 'AMI events received, by event type', labelNames: ['pbx', 'event'], registers });
    this.amiActionSeconds = new Histogram({
      name: 'meetme_ami_action_duration_seconds', help: 'AMI action round trips, by action and outcome',
      labelNames: ['action', 'outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.statusEdits = new Counter({ name: 'meetme_status_edits_total', help: 'Status message edits, by platform and result', labelNames: ['platform', 'result'], registers });
    this.alerts = new Counter({ name: 'meetme_alerts_total', help: 'Hangup alert events: raised, acked, escalated ...', labelNames: ['event'], registers });
    this.listeners = new Gauge({ name: 'meetme_listen_listeners', help: 'Browsers listening to a live call now', registers });
    this.sensorSessions = new Gauge({ name: 'meetme_sensor_sessions', help: 'Open sensor audio sessions (one per call, shared by its listeners)', registers });
    this.sensorPolls = new Counter({ name: 'meetme_sensor_polls_total', help: 'listcalls polls of the sensors, by outcome', labelNames: ['sensor', 'outcome'], registers });
    this.storeSeconds = new Histogram({
      name: 'meetme_store_operation_duration_seconds', help: 'Store reads and writes', labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1], registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Times a promise into a histogram with an `outcome` of ok or error. */
  async timeAction<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const end = this.amiActionSeconds.startTimer({ action });
    try {
      const value = await fn();
      end({ outcome: 'ok' });
      return value;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  }
}
