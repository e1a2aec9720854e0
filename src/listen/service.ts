import type { Actor } from '../core/adapter.ts';
import type { CallSummary, ListenLink, ListenService } from '../core/services.ts';
import type { ConferenceDirectory } from '../conference/backend.ts';
import type { Participant } from '../conference/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import { CallNotFoundError, SensorNotFoundError } from '../sensor/errors.ts';
import { sameCallref, type SensorCall } from '../sensor/listcalls.ts';
import type { SensorClient } from '../sensor/client.ts';
import { newNonce, type LinkSigner } from './links.ts';

/** What the service needs from a sensor (SensorClient, or a fake in tests). */
export type SensorCallLister = Pick<SensorClient, 'id' | 'listCalls'>;

export interface ListenServiceDeps {
  readonly directory: ConferenceDirectory;
  readonly sensors: readonly SensorCallLister[];
  readonly signer: LinkSigner;
  /** e.g. `https://bot.example.com`; links are `<base>/listen/<token>`. */
  readonly publicBaseUrl: string;
  /** Link lifetime (config.listen.linkTtlSec); default 10 minutes. */
  readonly linkTtlSec?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly newNonce?: () => string;
}

/** The channel variable holding the SIP Call-ID, by channel technology; other technologies have none. */
export function callIdVariable(tech: string): string | undefined {
  if (tech === 'PJSIP') return 'CHANNEL(pjsip,call-id)';
  if (tech === 'SIP') return 'SIPCALLID';
  return undefined;
}

export function toCallSummary(sensor: string, call: SensorCall): CallSummary {
  return {
    sensor,
    callref: call.callref,
    callId: call.callId,
    caller: call.caller,
    called: call.called,
    callerName: call.callerName,
    durationSec: call.durationSec,
    codec: call.callerCodec ?? call.calledCodec,
    mos: call.mos,
  };
}

/** Calls whose caller or called number is the participant's number, newest first. */
export function matchByNumber(calls: readonly CallSummary[], number: string, startedAt: ReadonlyMap<CallSummary, number>): CallSummary[] {
  return calls
    .filter((c) => c.caller === number || c.called === number)
    .sort((a, b) => (startedAt.get(b) ?? 0) - (startedAt.get(a) ?? 0));
}

export function createListenService(deps: ListenServiceDeps): ListenService {
  const log = (deps.logger ?? silentLogger()).child({ component: 'listen-service' });
  const now = deps.now ?? Date.now;
  const ttlMs = (deps.linkTtlSec ?? 600) * 1000;
  const nonce = deps.newNonce ?? newNonce;
  const base = deps.publicBaseUrl.replace(/\/+$/, '');

  /** Every call on every sensor; one sensor down does not hide the others, all down is an error. */
  async function allCalls(only?: readonly SensorCallLister[]): Promise<{ calls: CallSummary[]; startedAt: Map<CallSummary, number> }> {
    const sensors = only ?? deps.sensors;
    const results = await Promise.allSettled(sensors.map(async (s) => ({ id: s.id, calls: await s.listCalls() })));
    const calls: CallSummary[] = [];
    const startedAt = new Map<CallSummary, number>();
    let firstError: unknown;
    for (const result of results) {
      if (result.status === 'rejected') {
        firstError ??= result.reason;
        log.warn({ err: result.reason instanceof Error ? result.reason.message : String(result.reason) }, 'sensor listcalls failed');
        continue;
      }
      for (const call of result.value.calls) {
        const summary = toCallSummary(result.value.id, call);
        calls.push(summary);
        startedAt.set(summary, call.startedAt ?? 0);
      }
    }
    if (firstError !== undefined && results.every((r) => r.status === 'rejected')) throw firstError;
    return { calls, startedAt };
  }

  function mint(call: CallSummary, actor: Actor, matchedBy: ListenLink['matchedBy']): ListenLink {
    const expiresAt = now() + ttlMs;
    const token = deps.signer.sign({
      sensor: call.sensor,
      callref: call.callref,
      callId: call.callId,
      actor: { platform: actor.platform, userId: actor.userId, displayName: actor.displayName },
      expiresAt,
      nonce: nonce(),
    });
    log.info({ sensor: call.sensor, callref: call.callref, matchedBy, user: `${actor.platform}:${actor.userId}` }, 'listen link minted');
    return { url: `${base}/listen/${token}`, expiresAt, call, matchedBy };
  }

  async function sipCallId(participant: Participant): Promise<string | undefined> {
    const variable = callIdVariable(participant.tech);
    if (variable === undefined) return undefined;
    try {
      const value = await deps.directory.backend(participant.pbx).getChannelVar(participant.channel, variable);
      return value?.trim() || undefined;
    } catch (err) {
      log.warn({ pbx: participant.pbx, err: err instanceof Error ? err.message : String(err) }, 'cannot read the SIP Call-ID; matching by number');
      return undefined;
    }
  }

  return {
    async linkForParticipant(participant, actor) {
      const callId = await sipCallId(participant);
      const { calls, startedAt } = await allCalls();
      if (callId !== undefined) {
        const exact = calls.find((c) => c.callId === callId);
        if (exact) return mint(exact, actor, 'callid');
      }
      const number = participant.callerNum;
      const byNumber = number === undefined ? [] : matchByNumber(calls, number, startedAt);
      const best = byNumber[0];
      if (best) return mint(best, actor, 'number');
      throw new CallNotFoundError(
        `No sensor sees a call for ${participant.callerName ?? participant.callerNum ?? participant.channel}.`,
        `no call with Call-ID ${callId ?? '(none)'} or number ${number ?? '(none)'} on ${deps.sensors.length} sensor(s)`,
      );
    },

    async linkForCall(callref, sensorId, actor) {
      let sensors = deps.sensors;
      if (sensorId !== undefined) {
        sensors = deps.sensors.filter((s) => s.id === sensorId);
        if (sensors.length === 0) throw new SensorNotFoundError(sensorId);
      }
      const { calls } = await allCalls(sensors);
      const call = calls.find((c) => sameCallref(c.callref, callref));
      if (!call) throw new CallNotFoundError(`No active call ${callref}${sensorId === undefined ? '' : ` on sensor ${sensorId}`}.`);
      return mint(call, actor, 'callref');
    },

    async listCalls(filter) {
      const { calls } = await allCalls();
      const needle = filter?.trim().toLowerCase();
      if (!needle) return calls;
      return calls.filter((c) => [c.caller, c.called, c.callerName ?? ''].some((f) => f.toLowerCase().includes(needle)));
    },
  };
}
