import type { Logger } from '../log.ts';
import { parseAmiEvent, type AmiEventMap, type TypedAmiEvent } from './events.ts';
import type { AmiMessage } from './message.ts';

type TypedListener = (event: TypedAmiEvent) => void;

/**
 * Calls one listener, logging what it throws: a bug in one consumer must not starve the listeners
 * after it, nor break the socket's data handler.
 */
export function callSafely(log: Logger, event: string, listener: (...args: never) => unknown, thisArg: unknown, args: readonly unknown[]): void {
  try {
    Reflect.apply(listener, thisArg, args);
  } catch (err) {
    log.error({ err, event }, 'AMI listener threw');
  }
}

/**
 * Listeners of typed events by name. A message is parsed once, and only when some listener wants
 * its name; one missing a required field reaches none of them. Adding a listener twice has no effect.
 */
export class TypedListeners {
  private readonly byName = new Map<string, Set<TypedListener>>();

  constructor(private readonly log: Logger) {}

  add<K extends keyof AmiEventMap>(name: K, listener: (event: AmiEventMap[K]) => void): void {
    let listeners = this.byName.get(name);
    if (listeners === undefined) {
      listeners = new Set();
      this.byName.set(name, listeners);
    }
    listeners.add(listener as TypedListener);
  }

  remove<K extends keyof AmiEventMap>(name: K, listener: (event: AmiEventMap[K]) => void): void {
    const listeners = this.byName.get(name);
    listeners?.delete(listener as TypedListener);
    if (listeners?.size === 0) this.byName.delete(name);
  }

  dispatch(msg: AmiMessage, thisArg: unknown): void {
    const name = msg.event;
    if (name === undefined) return;
    const listeners = this.byName.get(name);
    if (listeners === undefined) return;
    const parsed = parseAmiEvent(msg);
    if (!parsed.typed) {
      this.log.debug({ event: name }, 'event lacks a required field: not passed to typed listeners');
      return;
    }
    for (const listener of [...listeners]) callSafely(this.log, name, listener, thisArg, [parsed]);
  }
}
