import type { SimCall } from '../calls.ts';
import { LISTCALLS_HEADER } from './header.ts';
import { goodLine, type SimLine } from './line-sim.ts';

/** Builds a `listcalls` reply shaped exactly like a real sensor's (see test/fixtures/voipmonitor). */

export interface ListedCall {
  readonly callref: string;
  readonly call: SimCall;
  /** Its simulated voice quality (default: a good line). */
  readonly line?: SimLine;
}

export interface ListCallsParams {
  readonly limit?: number;
}

const LOCALHOST_INT = 2130706433;
const PAYLOAD_TYPE: Record<SimCall['codec'], number> = { PCMU: 0, PCMA: 8 };

function calldate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function row(listed: ListedCall, now: number): unknown[] {
  const { call, callref } = listed;
  const line = listed.line ?? goodLine();
  const duration = Math.max(0, Math.floor((now - call.startedAt) / 1000));
  const packets = Math.floor((now - call.startedAt) / 20);
  const values: Record<string, unknown> = {
    callreference: callref,
    callid: call.callId,
    calldate: calldate(call.startedAt),
    calldate_num: Math.floor(call.startedAt / 1000),
    lastpackettime: Math.floor(now / 1000),
    duration,
    connect_duration: Math.max(0, duration - 1),
    caller: call.caller,
    called: call.called,
    caller_international: true,
    called_international: true,
    callername: call.callerName,
    callerdomain: '127.0.0.1',
    calleddomain: '127.0.0.1',
    calleragent: 'meetme-bot-sim',
    calledagent: 'meetme-bot-sim',
    callerip: LOCALHOST_INT,
    calledip: LOCALHOST_INT,
    callerip_encaps: 0,
    calledip_encaps: 0,
    callerip_encaps_prot: 255,
    calledip_encaps_prot: 255,
    lastSIPresponseNum: 200,
    rtp_src: LOCALHOST_INT,
    rtp_dst: LOCALHOST_INT,
    callercodec: PAYLOAD_TYPE[call.codec],
    calledcodec: PAYLOAD_TYPE[call.codec],
    src_received: packets,
    dst_received: packets,
    src_loss_abs: Math.round((packets * line.lossTotal) / 100),
    dst_loss_abs: 0,
    src_loss: line.lossTotal,
    dst_loss: 0,
    src_loss_last10sec: line.loss10,
    dst_loss_last10sec: 0,
    id_sensor: 1,
    vlan: 65534,
  };
  for (const side of ['src', 'dst'] as const) {
    const mos = side === 'src' ? line.mosSrc : line.mosDst;
    const jitter = side === 'src' ? line.jitter : goodLine().jitter;
    for (const kind of ['mosf1', 'mosf2', 'mosAD']) {
      values[`${side}_${kind}`] = mos;
      values[`${side}_${kind}_avg`] = 0;
      values[`${side}_${kind}_min`] = mos;
    }
    values[`${side}_jitter`] = jitter;
    values[`${side}_jitter_avg`] = jitter * 0.8;
    values[`${side}_jitter_max`] = jitter * 1.3;
  }
  return LISTCALLS_HEADER.map((name) => values[name] ?? null);
}

/** Without params: header + rows. With params: header, `[summary]`, rows; `limit: 0` answers the summary alone. */
export function buildListCallsReply(calls: readonly ListedCall[], now: number, params: ListCallsParams | undefined): string {
  const rows = calls.map((c) => row(c, now));
  if (params === undefined) return JSON.stringify([LISTCALLS_HEADER, ...rows]);
  const summary = { total: calls.length, is_receiver: 0, is_server: 0, id_sensor: 1 };
  if (params.limit === 0) return JSON.stringify(summary);
  const limited = params.limit === undefined ? rows : rows.slice(0, params.limit);
  return JSON.stringify([LISTCALLS_HEADER, [summary], ...limited]);
}
