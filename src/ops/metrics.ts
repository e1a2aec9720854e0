import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The bot's Prometheus metrics, on a registry of its own (never prom-client's global one, so tests
 * and several bots in one process do not share counters). Names follow Prometheus practice: the
 * `meetme_` prefix, base units (seconds), `_total` on counters, and no per-user labels.
 * @see https://prometheus.io/docs/practices/naming/
 */

export class BotMetrics {
  readonly registry = new Registry();
  readonly amiLinkUp: Gauge<'pbx'>;
  readonly amiReconnects: Counter<'pbx'>;
  readonly amiEvents: Counter<'pbx' | 'event'>;
  readonly alerts: Counter<'event'>;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.amiLinkUp = new Gauge({ name: 'meetme_ami_link_up', help: '1 while the AMI link to the PBX is logged in', labelNames: ['pbx'], registers });
    this.amiReconnects = new Counter({ name: 'meetme_ami_reconnects_total', help: 'AMI links re-established after a drop', labelNames: ['pbx'], registers });
    this.amiEvents = new Counter({ name: 'meetme_ami_events_total', help: 'AMI events received, by event type', labelNames: ['pbx', 'event'], registers });
    this.alerts = new Counter({ name: 'meetme_alerts_total', help: 'Hangup alert events: raised, acked, escalated ...', labelNames: ['event'], registers });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
