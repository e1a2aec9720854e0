import type { ConferenceDirectory } from '../conference/backend.ts';
import { problemLabel } from '../conference/link-problem.ts';
import type { ChatAdapter } from '../core/adapter.ts';
import type { Store } from '../store/types.ts';
import type { ProbedSensor, SensorContacts } from './sensors.ts';
import type { ReadinessCheck } from './server.ts';

/** An adapter that can tell it is down (a dead token, a lost gateway session). */
interface ReadinessAware {
  isReady(): boolean;
  downReason?(): string | undefined;
}

function readinessAware(adapter: ChatAdapter): adapter is ChatAdapter & ReadinessAware {
  return typeof (adapter as Partial<ReadinessAware>).isReady === 'function';
}

export interface ReadinessSources {
  readonly directory: ConferenceDirectory;
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  /** Read through directly, not through the metrics decorator, so probes do not count as store traffic. */
  readonly store: Pick<Store, 'kv'>;
  readonly sensors: readonly ProbedSensor[];
  readonly sensorContacts: SensorContacts;
  /** Config `ops.requireSensors`: a sensor that is down makes the bot not ready. */
  readonly requireSensors: boolean;
}

/** A key nothing writes: reading it proves the store answers without touching real data. */
export const STORE_PROBE_KEY = 'ops:readiness-probe';

/**
 * /readyz: every PBX link, every chat adapter and the store are required; the bot is of no use
 * without them. Sensors serve listening only, so they are not, unless the operator says so.
 */
export function readinessChecks(sources: ReadinessSources): ReadinessCheck[] {
  const { directory, adapters } = sources;
  const pbxs = directory.pbxIds().map((pbx): ReadinessCheck => ({
    name: pbx, kind: 'pbx', required: true,
    check: () => {
      const state = directory.backend(pbx).state();
      if (state.problem !== undefined) return { ok: state.available && state.problem.kind !== 'login_refused' && state.problem.kind !== 'unreachable', detail: problemLabel(state.problem) };
      return state.available ? { ok: true } : { ok: false, detail: 'unreachable' };
    },
  }));
  const chats = [...adapters.values()].map((adapter): ReadinessCheck => ({
    name: adapter.name, kind: 'adapter', required: true,
    check: () => {
      if (!readinessAware(adapter) || adapter.isReady()) return { ok: true };
      const reason = adapter.downReason?.();
      return reason === undefined ? { ok: false } : { ok: false, detail: reason };
    },
  }));
  const store: ReadinessCheck = {
    name: 'store', kind: 'store', required: true,
    check: async () => {
      await sources.store.kv.get(STORE_PROBE_KEY);
      return { ok: true };
    },
  };
  return [...pbxs, ...sources.sensorContacts.checks(sources.sensors, sources.requireSensors), ...chats, store];
}
