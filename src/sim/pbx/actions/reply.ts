import type { AmiHeader, AmiMessage } from '../../../ami/message.ts';
import type { PbxModel } from '../model.ts';
import type { Switchboard } from '../switchboard.ts';
import type { DialOutcome, OriginateJoin, PbxDialect } from '../types.ts';

/** One message of an action's answer. The session inserts the client's ActionID at `actionIdAt` (default 1). */
export interface OutMessage {
  readonly headers: readonly AmiHeader[];
  /** Raw CLI lines of a legacy `Response: Follows` answer. */
  readonly body?: readonly string[];
  readonly actionIdAt?: number;
}

/** What an action handler may use. Model changes it makes are broadcast after its answer is written. */
export interface ActionContext {
  readonly model: PbxModel;
  readonly switchboard: Switchboard;
  readonly dialect: PbxDialect;
  readonly now: () => number;
  readonly dialOutcomes: Readonly<Record<string, DialOutcome>>;
  readonly kickPromptMs: number;
  readonly originateDelayMs: number;
  readonly originateJoin: OriginateJoin;
  readonly actionId: string | undefined;
  /** Runs `fn` later; cancelled when the PBX stops or restarts. */
  schedule(ms: number, fn: () => void): void;
  /** Sends an event that is not a model event (OriginateResponse) to every session that takes events. */
  broadcast(headers: readonly AmiHeader[], actionId?: string): void;
}

export type ActionHandler = (req: AmiMessage, ctx: ActionContext) => readonly OutMessage[];

export function success(message: string, extra: readonly AmiHeader[] = []): OutMessage[] {
  return [{ headers: [['Response', 'Success'], ['Message', message], ...extra] }];
}

export function failure(message: string): OutMessage[] {
  return [{ headers: [['Response', 'Error'], ['Message', message]] }];
}

/** An event-list answer: the ack, one event per item, then the completion event. */
export function eventList(ackMessage: string, itemEvent: string, items: readonly (readonly AmiHeader[])[], completeEvent: string, completeExtra: readonly AmiHeader[] = []): OutMessage[] {
  return [
    { headers: [['Response', 'Success'], ['EventList', 'start'], ['Message', ackMessage]] },
    ...items.map((fields) => ({ headers: [['Event', itemEvent] as AmiHeader, ...fields] })),
    { headers: [['Event', completeEvent], ['EventList', 'Complete'], ['ListItems', String(items.length)], ...completeExtra] },
  ];
}

/** A field's value, trimmed; undefined when absent or empty. */
export function field(req: AmiMessage, key: string): string | undefined {
  const v = req.get(key)?.trim();
  return v === undefined || v === '' ? undefined : v;
}

export const yesNo = (b: boolean): string => (b ? 'Yes' : 'No');

/** `HH:MM:SS` for a number of seconds. */
export function hms(totalSec: number): string {
  const s = Math.max(0, Math.floor(totalSec));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
