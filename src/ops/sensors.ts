import { isBotError } from '../errors.ts';
import type { SensorExchange } from '../sensor/client.ts';
import type { BotMetrics } from './metrics.ts';
import type { CheckResult, ReadinessCheck } from './server.ts';

/**
 * What the ops listener knows of each sensor: every command's outcome and time (metrics), and how
 * the last contact went (readiness). A sensor is only asked when someone lists calls or listens, so
 * readiness goes by the last contact, and asks again (`getversion`) only while that one failed: a
 * healthy sensor is never polled for /readyz, and a repaired one shows up without waiting for a user.
 */

export type SensorOutcome = 'ok' | 'timeout' | 'unreachable' | 'error';

/** The part of a SensorClient the readiness probe uses. */
export interface ProbedSensor {
  readonly id: string;
  getVersion(): Promise<string>;
}

function outcomeOf(failure: unknown): SensorOutcome {
  if (failure === undefined) return 'ok';
  if (isBotError(failure, 'sensor_timeout')) return 'timeout';
  if (isBotError(failure, 'sensor_unreachable')) return 'unreachable';
  return 'error';
}

/** Command names come from our code; folded anyway so the label set stays bounded. */
function commandLabel(command: string): string {
  return /^[a-z_]{1,20}$/.test(command) ? command : 'other';
}

export class SensorContacts {
  readonly #metrics: BotMetrics;
  readonly #last = new Map<string, CheckResult>();

  constructor(metrics: BotMetrics) {
    this.#metrics = metrics;
  }

  /** For `SensorClientDeps.onExchange`. */
  readonly record = (exchange: SensorExchange): void => {
    const outcome = outcomeOf(exchange.failure);
    const command = commandLabel(exchange.command);
    this.#metrics.sensorRequests.inc({ sensor: exchange.sensor, command, outcome });
    this.#metrics.sensorRequestDuration.observe({ sensor: exchange.sensor, command }, exchange.durationMs / 1000);
    if (outcome === 'ok') this.#last.set(exchange.sensor, { ok: true });
    else this.#last.set(exchange.sensor, { ok: false, detail: `${outcome}: ${exchange.failure instanceof Error ? exchange.failure.message : String(exchange.failure)}` });
  };

  /** One /readyz entry per sensor; `required` when the operator says listening is essential. */
  checks(sensors: readonly ProbedSensor[], required: boolean): ReadinessCheck[] {
    return sensors.map((sensor) => ({ name: sensor.id, kind: 'sensor', required, check: () => this.#check(sensor) }));
  }

  async #check(sensor: ProbedSensor): Promise<CheckResult> {
    const last = this.#last.get(sensor.id);
    if (last === undefined) return { ok: true, detail: 'not contacted yet' };
    if (last.ok) return last;
    // The probe goes through the client, so `record` updates the last contact either way.
    await sensor.getVersion().catch(() => undefined);
    return this.#last.get(sensor.id) ?? last;
  }
}
