import { z } from 'zod';
import { BadActionError } from './errors.ts';
import { invisibleCharacterIn } from './tokenize.ts';

/**
 * Button ids ⇄ typed actions. An id is `v1|<kind>|<field>|...`: compact enough for Discord's 100
 * characters (Slack allows 255), versioned so old buttons can be told apart after a format change,
 * and validated field by field on the way in. Ids carry no authority: every press is authorized
 * and checked against the room's current state again.
 */

export const ACTION_ID_VERSION = 'v1';
/** Discord's custom_id limit; the smaller of the platforms the bot supports. */
export const MAX_ACTION_ID_LENGTH = 100;

/** A change a person is asked to confirm before it happens. */
export type ConfirmableAction =
  | { readonly kind: 'kick'; readonly pbx: string; readonly room: string; readonly uniqueid: string }
  | { readonly kind: 'mute_all'; readonly pbx: string; readonly room: string; readonly on: boolean }
  | { readonly kind: 'kick_all'; readonly pbx: string; readonly room: string }
  | { readonly kind: 'transfer'; readonly pbx: string; readonly room: string; readonly uniqueid: string; readonly exten: string; readonly context: string | undefined };

/**
 * `confirm` carries the exact action it confirms and when the question lapses (epoch ms, whole
 * seconds); `cancel` answers the question without acting.
 */
export type ConfirmationAction =
  | { readonly kind: 'confirm'; readonly pbx: string; readonly room: string; readonly action: ConfirmableAction; readonly expiresAt: number }
  | { readonly kind: 'cancel'; readonly pbx: string; readonly room: string };

export type Action =
  | ConfirmationAction
  | { readonly kind: 'mute'; readonly pbx: string; readonly room: string; readonly uniqueid: string; readonly on: boolean }
  | { readonly kind: 'kick'; readonly pbx: string; readonly room: string; readonly uniqueid: string }
  | { readonly kind: 'mute_all'; readonly pbx: string; readonly room: string; readonly on: boolean }
  | { readonly kind: 'kick_all'; readonly pbx: string; readonly room: string }
  | { readonly kind: 'lock'; readonly pbx: string; readonly room: string; readonly on: boolean }
  | { readonly kind: 'transfer'; readonly pbx: string; readonly room: string; readonly uniqueid: string; readonly exten: string; readonly context: string | undefined }
  | { readonly kind: 'page'; readonly pbx: string; readonly room: string; readonly page: number }
  /**
   * A button on a hangup alert. `pbx`/`room` are the alert's (the policy scopes the press by them);
   * `show` posts the room's live status, the others act on incident `incident`.
   */
  | { readonly kind: 'alert'; readonly op: 'ack' | 'resolve' | 'show'; readonly pbx: string; readonly room: string; readonly incident: string }
  | { readonly kind: 'alert'; readonly op: 'silence'; readonly pbx: string; readonly room: string; readonly incident: string; readonly hours: 1 | 4 | 24 }
  /** Mute on a poor-line alert: mutes participant `uniqueid` as the room's own Mute button does. */
  | { readonly kind: 'alert'; readonly op: 'mute'; readonly pbx: string; readonly room: string; readonly incident: string; readonly uniqueid: string };

export type ActionKind = Action['kind'];

const pbx = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/);
const room = z.string().regex(/^[A-Za-z0-9_.@+#*-]{1,64}$/);
const uniqueid = z.string().regex(/^[A-Za-z0-9_.:-]{1,40}$/);
const exten = z.string().regex(/^[0-9A-Za-z*#+_-]{1,40}$/);
const context = z.string().regex(/^[A-Za-z0-9_.-]{0,40}$/);
const flag = z.enum(['0', '1']).transform((f) => f === '1');
const page = z.string().regex(/^[0-9]{1,4}$/).transform(Number);
const incident = z.string().regex(/^[a-z0-9]{1,16}$/);
const hours = z.enum(['1', '4', '24']).transform((h) => Number(h) as 1 | 4 | 24);
/** Expiry in base-36 epoch seconds: 6 characters until the year 2038 and beyond. */
const expiry = z.string().regex(/^[0-9a-z]{1,8}$/).transform((s) => parseInt(s, 36) * 1000);
const CONFIRMABLE_CODES = ['k', 'ma', 'ka', 't'] as const;
type ConfirmableCode = (typeof CONFIRMABLE_CODES)[number];

/** Short wire codes per kind; the schema validates the fields that follow the kind. */
const DECODERS = {
  m: z.tuple([pbx, room, uniqueid, flag]).transform(([p, r, u, on]): Action => ({ kind: 'mute', pbx: p, room: r, uniqueid: u, on })),
  k: z.tuple([pbx, room, uniqueid]).transform(([p, r, u]): Action => ({ kind: 'kick', pbx: p, room: r, uniqueid: u })),
  ma: z.tuple([pbx, room, flag]).transform(([p, r, on]): Action => ({ kind: 'mute_all', pbx: p, room: r, on })),
  ka: z.tuple([pbx, room]).transform(([p, r]): Action => ({ kind: 'kick_all', pbx: p, room: r })),
  l: z.tuple([pbx, room, flag]).transform(([p, r, on]): Action => ({ kind: 'lock', pbx: p, room: r, on })),
  t: z.tuple([pbx, room, uniqueid, exten, context]).transform(([p, r, u, e, c]): Action => ({
    kind: 'transfer', pbx: p, room: r, uniqueid: u, exten: e, context: c === '' ? undefined : c,
  })),
  p: z.tuple([pbx, room, page]).transform(([p, r, n]): Action => ({ kind: 'page', pbx: p, room: r, page: n })),
  x: z.tuple([pbx, room]).transform(([p, r]): Action => ({ kind: 'cancel', pbx: p, room: r })),
  aa: z.tuple([pbx, room, incident]).transform(([p, r, i]): Action => ({ kind: 'alert', op: 'ack', pbx: p, room: r, incident: i })),
  ar: z.tuple([pbx, room, incident]).transform(([p, r, i]): Action => ({ kind: 'alert', op: 'resolve', pbx: p, room: r, incident: i })),
  ao: z.tuple([pbx, room, incident]).transform(([p, r, i]): Action => ({ kind: 'alert', op: 'show', pbx: p, room: r, incident: i })),
  as: z.tuple([pbx, room, incident, hours]).transform(([p, r, i, h]): Action => ({ kind: 'alert', op: 'silence', pbx: p, room: r, incident: i, hours: h })),
  am: z.tuple([pbx, room, incident, uniqueid]).transform(([p, r, i, u]): Action => ({ kind: 'alert', op: 'mute', pbx: p, room: r, incident: i, uniqueid: u })),
} as const;

type WireCode = keyof typeof DECODERS;

const ALERT_CODES = { ack: 'aa', resolve: 'ar', show: 'ao' } as const;

function isConfirmable(action: Action): action is ConfirmableAction {
  return action.kind === 'kick' || action.kind === 'mute_all' || action.kind === 'kick_all' || action.kind === 'transfer';
}

function isConfirmableCode(code: string): code is ConfirmableCode {
  return (CONFIRMABLE_CODES as readonly string[]).includes(code);
}

/** `c` (confirm) is not in DECODERS: its fields are an expiry and a whole confirmable action. */
function fieldsOf(action: Action): [WireCode | 'c', ...string[]] {
  const bit = (on: boolean) => (on ? '1' : '0');
  switch (action.kind) {
    case 'confirm': return ['c', Math.ceil(action.expiresAt / 1000).toString(36), ...fieldsOf(action.action)];
    case 'cancel': return ['x', action.pbx, action.room];
    case 'mute': return ['m', action.pbx, action.room, action.uniqueid, bit(action.on)];
    case 'kick': return ['k', action.pbx, action.room, action.uniqueid];
    case 'mute_all': return ['ma', action.pbx, action.room, bit(action.on)];
    case 'kick_all': return ['ka', action.pbx, action.room];
    case 'lock': return ['l', action.pbx, action.room, bit(action.on)];
    case 'transfer': return ['t', action.pbx, action.room, action.uniqueid, action.exten, action.context ?? ''];
    case 'page': return ['p', action.pbx, action.room, String(action.page)];
    case 'alert': return action.op === 'silence'
      ? ['as', action.pbx, action.room, action.incident, String(action.hours)]
      : action.op === 'mute'
        ? ['am', action.pbx, action.room, action.incident, action.uniqueid]
        : [ALERT_CODES[action.op], action.pbx, action.room, action.incident];
  }
}

function isWireCode(code: string): code is WireCode {
  return Object.hasOwn(DECODERS, code);
}

/** Parses and validates a button id. Throws BadActionError for anything it did not produce. */
export function decodeAction(id: string): Action {
  if (id.length > MAX_ACTION_ID_LENGTH) throw new BadActionError(`action id longer than ${MAX_ACTION_ID_LENGTH}`);
  // Every field, before any is parsed: answered like the same character in a typed command.
  const invisible = invisibleCharacterIn(id);
  if (invisible !== undefined) throw new BadActionError('invisible character in an action id', invisible);
  const [version, code, ...fields] = id.split('|');
  if (version !== ACTION_ID_VERSION) throw new BadActionError(`unknown action id version ${JSON.stringify(version?.slice(0, 8))}`);
  if (code === 'c') return decodeConfirm(fields);
  if (code === undefined || !isWireCode(code)) throw new BadActionError(`unknown action kind ${JSON.stringify(code?.slice(0, 8))}`);
  const parsed = DECODERS[code].safeParse(fields);
  if (!parsed.success) throw new BadActionError(`malformed ${code} action id`);
  return parsed.data;
}

function decodeConfirm(fields: readonly string[]): Action {
  const [expires, code, ...rest] = fields;
  const at = expiry.safeParse(expires);
  if (!at.success || code === undefined || !isConfirmableCode(code)) throw new BadActionError('malformed confirm action id');
  const inner = DECODERS[code].safeParse(rest);
  if (!inner.success || !isConfirmable(inner.data)) throw new BadActionError('malformed confirm action id');
  return { kind: 'confirm', pbx: inner.data.pbx, room: inner.data.room, action: inner.data, expiresAt: at.data };
}

/**
 * The compact id for an action. Throws BadActionError when a field would not survive decoding
 * (unsafe characters) or the id would exceed MAX_ACTION_ID_LENGTH (very long PBX/room names).
 */
export function encodeAction(action: Action): string {
  const [code, ...fields] = fieldsOf(action);
  const id = [ACTION_ID_VERSION, code, ...fields].join('|');
  if (id.length > MAX_ACTION_ID_LENGTH) throw new BadActionError(`${action.kind} action id would be ${id.length} characters`);
  const valid = code === 'c' ? isConfirmableCode(fields[1] ?? '') && DECODERS[fields[1] as ConfirmableCode].safeParse(fields.slice(2)).success : DECODERS[code].safeParse(fields).success;
  if (!valid) throw new BadActionError(`${action.kind} action has fields a button id cannot carry`);
  return id;
}

/** Like encodeAction, but undefined when the action cannot be a button (callers then offer typed commands). */
export function tryEncodeAction(action: Action): string | undefined {
  try {
    return encodeAction(action);
  } catch {
    return undefined;
  }
}
