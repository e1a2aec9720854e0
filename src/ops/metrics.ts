import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The bot's Prometheus metrics, on a registry of its own (never prom-client's global one, so tests
 * and several bots in one process do not share counters). Names follow Prometheus practice: the
 * `meetme_` prefix, base units (seconds), `_total` on counters, and no per-user labels.
 * @see https://prometheus.io/docs/practices/naming/
 */

/** AMI answers on a LAN take milliseconds; an Originate waits for the callee, up to its dial timeout. */
const AMI_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** SQLite answers in microseconds, Redis in a round trip. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** One connection per sensor command; the sensor's own timeout is seconds. */
const SENSOR_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class BotMetrics {
  readonly registry = new Registry();
  readonly amiLinkUp: Gauge<'pbx'>;
  readonly amiReconnects: Counter<'pbx'>;
  readonly amiEvents: Counter<'pbx' | 'event'>;
  readonly amiActionDuration: Histogram<'pbx' | 'action' | 'outcome'>;
  readonly alerts: Counter<'event'>;
  readonly statusEdits: Counter<'platform' | 'outcome'>;
  readonly listenListeners: Gauge;
  readonly listenSessions: Gauge;
  readonly sensorRequests: Counter<'sensor' | 'command' | 'outcome'>;
  readonly sensorRequestDuration: Histogram<'sensor' | 'command'>;
  readonly storeOperationDuration: Histogram<'operation'>;
  readonly storeOperationErrors: Counter<'operation'>;
  /** Read at each scrape: the audio hubs' session counts. */
  readonly #sessionSources: (() => number)[] = [];

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const sessionSources = this.#sessionSources;
    this.amiLinkUp = new Gauge({ name: 'meetme_ami_link_up', help: '1 while the AMI link to the PBX is logged in', labelNames: ['pbx'], registers });
    this.amiReconnects = new Counter({ name: 'meetme_ami_reconnects_total', help: 'AMI links re-established after a drop', labelNames: ['pbx'], registers });
    this.amiEvents = new Counter({ name: 'meetme_ami_events_total', help: 'AMI events received, by event type', labelNames: ['pbx', 'event'], registers });
    this.amiActionDuration = new Histogram({
      name: 'meetme_ami_action_duration_seconds', help: 'AMI actions from sending to their answer (success, error, timeout)',
      labelNames: ['pbx', 'action', 'outcome'], buckets: AMI_BUCKETS, registers,
    });
    this.alerts = new Counter({ name: 'meetme_alerts_total', help: 'Hangup alert events: raised, acked, escalated ...', labelNames: ['event'], registers });
    this.statusEdits = new Counter({
      name: 'meetme_status_edits_total', help: 'Status message edits: sent, unchanged, coalesced, rate_limited, failed',
      labelNames: ['platform', 'outcome'], registers,
    });
    this.listenListeners = new Gauge({ name: 'meetme_listen_listeners', help: 'Players listening to a call now', registers });
    this.listenSessions = new Gauge({
      name: 'meetme_listen_sensor_sessions', help: 'Sensor listening sessions now (one per call listened to)', registers,
      collect() { this.set(sessionSources.reduce((sum, count) => sum + count(), 0)); },
    });
    this.sensorRequests = new Counter({
      name: 'meetme_sensor_requests_total', help: 'Sensor manager commands (listcalls polls, readaudio ...), by outcome',
      labelNames: ['sensor', 'command', 'outcome'], registers,
    });
    this.sensorRequestDuration = new Histogram({
      name: 'meetme_sensor_request_duration_seconds', help: 'Sensor manager commands from connect to the full reply',
      labelNames: ['sensor', 'command'], buckets: SENSOR_BUCKETS, registers,
    });
    this.storeOperationDuration = new Histogram({
      name: 'meetme_store_operation_duration_seconds', help: 'Store operations (kv.get, watches.put ...), failed ones included',
      labelNames: ['operation'], buckets: STORE_BUCKETS, registers,
    });
    this.storeOperationErrors = new Counter({ name: 'meetme_store_operation_errors_total', help: 'Store operations that failed', labelNames: ['operation'], registers });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts an audio hub's sessions in `meetme_listen_sensor_sessions`. */
  addSessionSource(count: () => number): void {
    this.#sessionSources.push(count);
  }
}
