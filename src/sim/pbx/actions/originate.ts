import type { AmiMessage } from '../../../ami/message.ts';
import { dialledNumber, ORIGINATE_REASON } from '../dialplan.ts';
import { originateResponseEvent, type OriginateOutcome } from '../events.ts';
import { UNKNOWN, type ChannelState } from '../model.ts';
import type { CallerId } from '../switchboard.ts';
import type { ChannelTech } from '../types.ts';
import { failure, field, success, type ActionContext, type ActionHandler } from './reply.ts';

/**
 * `Originate`: dials `Channel`, and once answered connects it to `Context`/`Exten` or runs
 * `Application`/`Data`. A channel whose extension leads into a room joins it. Numbers configured
 * as busy / no answer / congestion fail with the matching Reason. With `Async: true` the answer is
 * immediate and the outcome comes as `OriginateResponse` with the same ActionID.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Originate/
 */

const TECHS: readonly string[] = ['PJSIP', 'SIP', 'IAX2', 'DAHDI', 'Local'];

type Target = { application: string; data: string } | { context: string; exten: string };

interface OriginateRequest {
  readonly channel: string;
  readonly tech: ChannelTech;
  readonly target: Target;
  readonly caller: CallerId;
  readonly variables: readonly (readonly [string, string])[];
}

/** `"Alice" <1001>`, `Alice <1001>` or `1001`. */
export function parseCallerId(text: string | undefined): CallerId {
  if (text === undefined) return { num: undefined, name: undefined };
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
  if (m) {
    const name = (m[1] ?? m[2] ?? '').trim();
    return { num: m[3] === '' ? undefined : m[3], name: name === '' ? undefined : name };
  }
  return /^[0-9*#+]+$/.test(text.trim()) ? { num: text.trim(), name: undefined } : { num: undefined, name: text.trim() };
}

function parseRequest(req: AmiMessage): OriginateRequest | string {
  const channel = field(req, 'Channel');
  if (channel === undefined) return 'Channel not specified';
  const slash = channel.indexOf('/');
  const tech = TECHS.find((t) => t.toLowerCase() === channel.slice(0, slash).toLowerCase());
  if (slash <= 0 || tech === undefined) return 'Originate failed';
  const priority = field(req, 'Priority');
  if (priority !== undefined && !/^\d+$/.test(priority)) return 'Invalid priority';
  const application = field(req, 'Application');
  const exten = field(req, 'Exten');
  let target: Target;
  if (application !== undefined) target = { application, data: req.get('Data') ?? '' };
  else if (exten !== undefined) target = { context: field(req, 'Context') ?? 'default', exten };
  else return 'Originate failed';
  const variables = req.getAll('Variable').flatMap((v) => v.split(',')).flatMap((pair): [string, string][] => {
    const eq = pair.indexOf('=');
    return eq > 0 ? [[pair.slice(0, eq).trim(), pair.slice(eq + 1)]] : [];
  });
  return { channel, tech: tech as ChannelTech, target, caller: parseCallerId(req.get('CallerID')), variables };
}

export const originate: ActionHandler = (req, ctx) => {
  const parsed = parseRequest(req);
  if (typeof parsed === 'string') return failure(parsed);
  const async = /^(true|yes|1|on)$/i.test(field(req, 'Async') ?? '');
  const outcome = ctx.dialOutcomes[dialledNumber(parsed.channel)] ?? 'answer';
  if (!async) {
    if (outcome !== 'answer') return failure('Originate failed');
    place(parsed, ctx, { report: false });
    return success('Originate successfully queued');
  }
  const actionId = ctx.actionId;
  ctx.schedule(ctx.originateDelayMs, () => {
    if (outcome === 'answer') {
      place(parsed, ctx, { report: true, actionId });
      return;
    }
    ctx.broadcast(originateResponseEvent({
      success: false, reason: ORIGINATE_REASON[outcome], channel: parsed.channel, uniqueid: '<null>',
      target: parsed.target, callerNum: parsed.caller.num ?? UNKNOWN, callerName: parsed.caller.name ?? UNKNOWN,
    }), actionId);
  });
  return success('Originate successfully queued');
};

/**
 * An answered originate: the channel(s) come up, the originating side runs the target, and a
 * Local channel's `;2` half runs its own extension. Event order follows the capture: Newchannel(s),
 * the `;1` application, OriginateResponse, then the `;2` dialplan.
 */
function place(req: OriginateRequest, ctx: ActionContext, how: { report: boolean; actionId?: string | undefined }): void {
  const sb = ctx.switchboard;
  let first: ChannelState;
  let second: ChannelState | undefined;
  let secondAt: { context: string; exten: string } | undefined;
  if (req.tech === 'Local') {
    const spec = req.channel.slice(req.channel.indexOf('/') + 1).split('/')[0] ?? '';
    const at = spec.indexOf('@');
    const exten = at === -1 ? spec : spec.slice(0, at);
    const context = at === -1 ? 'default' : spec.slice(at + 1);
    [first, second] = sb.localPair(exten, context);
    secondAt = { context, exten };
    sb.setCallerId(second, req.caller);
  } else {
    const number = dialledNumber(req.channel);
    const at = 'context' in req.target ? req.target : { context: 'default', exten: 's' };
    first = sb.newChannel(req.tech as Exclude<ChannelTech, 'Local'>, number, { num: req.caller.num ?? number, name: req.caller.name }, at, 0);
  }
  sb.setCallerId(first, req.caller);
  first.state = 6;
  for (const ch of second ? [first, second] : [first]) for (const [k, v] of req.variables) ch.vars.set(k, v);

  const response: OriginateOutcome = {
    success: true, reason: ORIGINATE_REASON.answer, channel: first.name, uniqueid: first.uniqueid, target: req.target,
    callerNum: first.callerNum, callerName: first.callerName,
  };
  const runFirst = (): void => {
    if ('context' in req.target) {
      sb.route(first.uniqueid, req.target);
      return;
    }
    const app = req.target.application.toLowerCase();
    if (app === 'confbridge' || app === 'meetme') {
      const room = req.target.data.split(',')[0]?.trim() ?? '';
      if (room !== '') sb.enter(first.uniqueid, room, { admin: false, marked: false, muted: false });
      return;
    }
    first.application = req.target.application;
    first.applicationData = req.target.data;
  };
  // An application runs before the answer is reported; a dialplan target, as the PBX is told, before or after it.
  const join = 'context' in req.target ? ctx.originateJoin : 'before-response';
  if (join === 'before-response') runFirst();
  if (how.report) ctx.broadcast(originateResponseEvent(response), how.actionId);
  const rest = (): void => {
    if (join !== 'before-response') runFirst();
    if (second && secondAt) sb.route(second.uniqueid, secondAt);
  };
  if (join !== 'before-response' && join.afterResponseMs > 0) ctx.schedule(join.afterResponseMs, rest);
  else rest();
}
