import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../log.ts';
import type { AmiMessage } from './message.ts';
import { AmiActionError, AmiPermissionDeniedError, AmiTimeoutError } from './errors.ts';
import { isPermissionDenied, writeClassesOf } from './permissions.ts';

/**
 * Actions sent and not yet answered, matched by ActionID (case-insensitively): plain answers, event
 * lists collected until `EventList: Complete`, both `Command` output formats, and async Originate
 * resolved by its `OriginateResponse`. Each has a timeout on the injected clock; answers to actions
 * that already timed out are dropped rather than leaked as events.
 */

interface PendingBase {
  readonly id: string;
  readonly action: string;
  readonly reject: (err: Error) => void;
  timer: TimerHandle | undefined;
}

type Pending =
  | (PendingBase & { readonly kind: 'action'; readonly resolve: (msg: AmiMessage) => void })
  | (PendingBase & { readonly kind: 'list'; readonly items: AmiMessage[]; readonly resolve: (items: AmiMessage[]) => void })
  | (PendingBase & { readonly kind: 'command'; readonly resolve: (lines: string[]) => void })
  | (PendingBase & { readonly kind: 'originate'; readonly resolve: (msg: AmiMessage) => void });

export type PendingKind = Pending['kind'];
export type ResultOf<K extends PendingKind> = K extends 'list' ? AmiMessage[] : K extends 'command' ? string[] : AmiMessage;

/** This many timed-out ids are remembered, so their late answers can be told from events. */
const EXPIRED_IDS_KEPT = 256;

export interface PendingActionsOptions {
  readonly pbx: string;
  /** The manager user, named in the fix for a `Permission denied`. */
  readonly username: string;
  readonly clock: Clock;
  readonly log: Logger;
}

function isError(msg: AmiMessage): boolean {
  return msg.response?.toLowerCase() === 'error';
}

export function isOriginateResponse(msg: AmiMessage): boolean {
  return msg.event?.toLowerCase() === 'originateresponse';
}

/** Output lines of a Command answer, in either wire format (a header value never holds a line break). */
function commandOutput(msg: AmiMessage): string[] {
  if (msg.body !== undefined) return [...msg.body];
  return msg.getAll('Output');
}

export class PendingActions {
  private readonly entries = new Map<string, Pending>();
  private readonly expiredIds = new Set<string>();

  constructor(private readonly opts: PendingActionsOptions) {}

  has(actionId: string): boolean {
    return this.entries.has(actionId.toLowerCase());
  }

  /** Registers an action about to be written; it fails with `ami_timeout` after `timeoutMs` on the clock. */
  add<K extends PendingKind>(kind: K, id: string, action: string, timeoutMs: number, resolve: (value: ResultOf<K>) => void, reject: (err: Error) => void): void {
    const key = id.toLowerCase();
    const entry = {
      id, action, reject, timer: undefined, kind,
      resolve: resolve as (value: never) => void,
      ...(kind === 'list' ? { items: [] } : {}),
    } as Pending;
    entry.timer = this.opts.clock.setTimeout(() => {
      if (this.entries.get(key) !== entry) return;
      this.entries.delete(key);
      this.rememberExpired(key);
      reject(new AmiTimeoutError(this.opts.pbx, action, timeoutMs));
    }, timeoutMs);
    this.entries.set(key, entry);
  }

  /** Fails every pending action with `reason` (none is re-sent: a side effect may already have happened). Returns how many. */
  failAll(reason: Error): number {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) {
      if (entry.timer !== undefined) this.opts.clock.clearTimeout(entry.timer);
      entry.reject(reason);
    }
    return all.length;
  }

  /**
   * Offers an event to the pending actions. Returns true when it must not be emitted: an item of a
   * pending list, or a late item of a timed-out action. An OriginateResponse is always emitted, even
   * late: the call it reports may still join a room, and the room state must learn of it.
   */
  claimEvent(msg: AmiMessage): boolean {
    const key = msg.actionId?.toLowerCase();
    if (key === undefined) return false;
    const entry = this.entries.get(key);
    if (entry !== undefined && this.onCorrelatedEvent(key, entry, msg)) return true;
    return this.expiredIds.has(key) && !isOriginateResponse(msg);
  }

  /** Settles the pending action a `Response:` message answers, if any. */
  answer(msg: AmiMessage): void {
    const key = msg.actionId?.toLowerCase();
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (entry === undefined || key === undefined) {
      this.opts.log.debug({ actionId: msg.actionId, response: msg.response }, 'answer to no pending action');
      return;
    }
    if (isError(msg)) {
      this.settle(key, entry);
      entry.reject(this.refusal(entry, msg));
      return;
    }
    switch (entry.kind) {
      case 'action':
        this.settle(key, entry);
        entry.resolve(msg);
        return;
      case 'command':
        this.settle(key, entry);
        entry.resolve(commandOutput(msg));
        return;
      case 'list':
      case 'originate':
        // The items, or the OriginateResponse event, are still to come.
        return;
    }
  }

  private refusal(entry: Pending, msg: AmiMessage): Error {
    const text = msg.get('Message') ?? '';
    const { pbx, username } = this.opts;
    if (isPermissionDenied(text)) return new AmiPermissionDeniedError(pbx, entry.action, username, writeClassesOf(entry.action));
    const detail = entry.kind === 'command' ? [text, ...commandOutput(msg)].filter((s) => s !== '').join(' / ') : text;
    return new AmiActionError(pbx, entry.action, detail);
  }

  /** Returns true when the event belonged to the pending action and must not be emitted. */
  private onCorrelatedEvent(key: string, entry: Pending, msg: AmiMessage): boolean {
    if (entry.kind === 'originate') {
      if (!isOriginateResponse(msg)) return false;
      this.settle(key, entry);
      entry.resolve(msg);
      return false;
    }
    if (entry.kind !== 'list') return false;
    const eventList = msg.get('EventList')?.toLowerCase();
    // Asterisk 1.8 ends Status with a StatusComplete that has no `EventList:` header. No other list
    // does, so no other name is taken as an end: an item whose name ends in "Complete" stays an item.
    const complete = eventList === 'complete' || (eventList === undefined && msg.event?.toLowerCase() === 'statuscomplete');
    if (complete) {
      this.settle(key, entry);
      this.checkListItems(entry, msg);
      entry.resolve(entry.items);
    } else if (eventList === 'cancelled') {
      this.settle(key, entry);
      entry.reject(new AmiActionError(this.opts.pbx, entry.action, 'event list cancelled'));
    } else {
      entry.items.push(msg);
    }
    return true;
  }

  /** A count that disagrees points at lost or foreign items; the list is still the best there is, so it is kept. */
  private checkListItems(entry: Pending & { kind: 'list' }, end: AmiMessage): void {
    const declared = end.get('ListItems');
    if (declared === undefined || !/^\s*\d+\s*$/.test(declared)) return;
    const listItems = Number(declared);
    if (listItems !== entry.items.length) {
      this.opts.log.warn({ action: entry.action, actionId: entry.id, listItems, received: entry.items.length }, 'event list size differs from its ListItems');
    }
  }

  private settle(key: string, entry: Pending): void {
    if (entry.timer !== undefined) this.opts.clock.clearTimeout(entry.timer);
    this.entries.delete(key);
  }

  private rememberExpired(key: string): void {
    this.expiredIds.add(key);
    if (this.expiredIds.size > EXPIRED_IDS_KEPT) {
      const oldest = this.expiredIds.values().next().value;
      if (oldest !== undefined) this.expiredIds.delete(oldest);
    }
  }
}
