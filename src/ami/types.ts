import type { AmiLinkState } from './link-state.ts';
import type { AmiMessage } from './message.ts';

/** A field value of an outgoing action. An array repeats the key (`Variable: a=1`, `Variable: b=2`). */
export type AmiFieldValue = string | number | boolean | readonly string[];

export interface AmiActionRequest {
  /** The `Action:` name, e.g. `ConfbridgeList`. */
  readonly action: string;
  /** Other keys in order. `undefined` values are left out. `ActionID` is added by the client. */
  readonly fields?: Readonly<Record<string, AmiFieldValue | undefined>>;
}

/** How one action ended, for observers (metrics): time from sending to its answer, timeout or failure. */
export interface AmiActionSettled {
  readonly action: string;
  readonly outcome: 'success' | 'error' | 'timeout';
  readonly durationMs: number;
}

export interface AmiCallOptions {
  /** Overrides the client's default action timeout. */
  readonly timeoutMs?: number;
}

/**
 * What the rest of the bot needs from one PBX's AMI connection. `AmiClient` implements it; tests of
 * higher layers may use the embedded PBX over TCP instead of faking this.
 */
export interface AmiLink {
  /** The PBX id from config (used in logs and errors). */
  readonly name: string;
  readonly connected: boolean;
  /** Connected, or why not (login refused, unreachable, down), each failure with its fix in `error.adminHint`. */
  readonly linkState: AmiLinkState;
  /** Plain action. Resolves with the `Response: Success` message; `Response: Error` rejects with `AmiActionError`. */
  action(req: AmiActionRequest, opts?: AmiCallOptions): Promise<AmiMessage>;
  /** Event-list action: resolves with the list items once `EventList: Complete` arrives. */
  listAction(req: AmiActionRequest, opts?: AmiCallOptions): Promise<AmiMessage[]>;
  /** CLI command: output lines, in either wire format (Output: headers, or legacy Follows body). */
  command(command: string, opts?: AmiCallOptions): Promise<string[]>;
  /** `Originate` with `Async: true`: resolves with the matching `OriginateResponse` event. */
  originateAsync(req: AmiActionRequest, opts?: AmiCallOptions): Promise<AmiMessage>;
  on(event: 'event', listener: (msg: AmiMessage) => void): this;
  on(event: 'connected', listener: () => void): this;
  on(event: 'disconnected', listener: (reason: Error) => void): this;
  on(event: 'state', listener: (state: AmiLinkState) => void): this;
  on(event: 'actionSettled', listener: (settled: AmiActionSettled) => void): this;
  off(event: 'event', listener: (msg: AmiMessage) => void): this;
  off(event: 'connected', listener: () => void): this;
  off(event: 'disconnected', listener: (reason: Error) => void): this;
  off(event: 'state', listener: (state: AmiLinkState) => void): this;
  off(event: 'actionSettled', listener: (settled: AmiActionSettled) => void): this;
}
