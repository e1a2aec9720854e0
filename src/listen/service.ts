import type { Actor } from '../core/adapter.ts';
import type { CallSummary, LineFigures, ListenLink, ListenService } from '../core/services.ts';
import type { ConferenceDirectory } from '../conference/backend.ts';
import type { Participant } from '../conference/types.ts';
import { BotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { CallNotFoundError, SensorNotFoundError } from '../sensor/errors.ts';
import { sameCallref, type SensorCall } from '../sensor/listcalls.ts';
import type { SensorClient } from '../sensor/client.ts';
import { lineQuality } from '../quality/line-quality.ts';
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

function lineFigures(call: SensorCall): LineFigures {
  const q = lineQuality(call.fields);
  return { mosFromCaller: q.mosFromCaller, mosToCaller: q.mosToCaller, loss10s: q.loss10s, lossTotal: q.lossTotal, jitterMs: q.jitterMs };
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
    ...lineFigures(call),
  };
}

/**
 * A phone number reduced to what identifies it across notations: spaces, dashes, dots, slashes and
 * brackets go, and an international prefix (`+` or `00`) is dropped, so `+49 30 1234`, `0049-30-1234`
 * and `49301234` compare equal. National forms (`030 1234`) are not guessed into international ones.
 * Anything that is not a number (a SIP user name) is only lower-cased.
 */
export function normalizeNumber(number: string): string {
  const compact = number.trim().toLowerCase().replace(/[\s\-./()]/g, '');
  if (!/^\+?\d+$/.test(compact)) return compact;
  return compact.replace(/^(\+|00)/, '');
}

/** Calls whose caller or called number is the participant's number (normalised), newest first. */
export function matchByNumber(calls: readonly CallSummary[], number: string, startedAt: ReadonlyMap<CallSummary, number>): CallSummary[] {
  const wanted = normalizeNumber(number);
  if (wanted === '') return [];
  return calls
    .filter((c) => normalizeNumber(c.caller) === wanted || normalizeNumber(c.called) === wanted)
    .sort((a, b) => (startedAt.get(b) ?? 0) - (startedAt.get(a) ?? 0));
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A participant without a SIP Call-ID whose number matches several calls: picking one could hand out
 * someone else's call, so the user chooses with `listen call <ref>`.
 */
export class AmbiguousCallError extends BotError {
  readonly code = 'ambiguous_call' as const;
  constructor(who: string, readonly candidates: readonly CallSummary[]) {
    const lines = candidates.map((c) => `• ${c.caller} → ${c.called}, ${formatDuration(c.durationSec)}, sensor ${c.sensor}, callref ${c.callref}`);
    super(
      `${who} has no SIP Call-ID and their number matches ${candidates.length} calls:\n${lines.join('\n')}\nUse \`listen call <callref> <sensor>\` to pick one.`,
      { detail: `number match for ${who} is ambiguous: ${candidates.map((c) => `${c.sensor}/${c.callref}`).join(', ')}` },
    );
  }
}

/** Reading the Call-ID failed: the call cannot be told apart safely, so the bot does not guess. */
export class CallIdUnreadableError extends BotError {
  readonly code = 'call_id_unreadable' as const;
  constructor(who: string, cause: unknown) {
    super(
      `Cannot read the SIP Call-ID of ${who} from the PBX right now. Try again, or use \`calls\` and \`listen call <callref>\`.`,
      { detail: `reading the SIP Call-ID of ${who} failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause },
    );
  }
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

  /**
   * The channel's SIP Call-ID; undefined only when the channel has none (not SIP, or the variable is
   * unset). A failed read throws: guessing by number then could pick another call of the same caller.
   */
  async function sipCallId(participant: Participant, who: string): Promise<string | undefined> {
    const variable = callIdVariable(participant.tech);
    if (variable === undefined) return undefined;
    try {
      const value = await deps.directory.backend(participant.pbx).getChannelVar(participant.channel, variable);
      return value?.trim() || undefined;
    } catch (err) {
      log.warn({ pbx: participant.pbx, err: err instanceof Error ? err.message : String(err) }, 'cannot read the SIP Call-ID');
      throw new CallIdUnreadableError(who, err);
    }
  }

  return {
    async linkForParticipant(participant, actor) {
      const who = participant.callerName ?? participant.callerNum ?? participant.channel;
      const callId = await sipCallId(participant, who);
      const { calls, startedAt } = await allCalls();
      if (callId !== undefined) {
        const exact = calls.find((c) => c.callId === callId);
        if (exact) return mint(exact, actor, 'callid');
        // The Call-ID is known: a call with the same number is someone else's call, never a fallback.
        throw new CallNotFoundError(
          `The sensors do not see the call of ${who} (yet). Try again in a moment, or check that a sensor captures this PBX's traffic.`,
          `no call with Call-ID ${callId} on ${deps.sensors.length} sensor(s)`,
        );
      }
      const number = participant.callerNum;
      const byNumber = number === undefined ? [] : matchByNumber(calls, number, startedAt);
      const [only, ...others] = byNumber;
      if (only && others.length === 0) return mint(only, actor, 'number');
      if (only) throw new AmbiguousCallError(who, byNumber);
      throw new CallNotFoundError(
        `No sensor sees a call for ${who}.`,
        `no SIP Call-ID; no call with number ${number ?? '(none)'} on ${deps.sensors.length} sensor(s)`,
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
