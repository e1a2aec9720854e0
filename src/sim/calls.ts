/**
 * What the embedded PBX tells the embedded sensor about its calls, so the sensor lists the same
 * calls with the same SIP Call-IDs the PBX reports through `GetVar CHANNEL(pjsip,call-id)`.
 */
export interface SimCall {
  /** SIP Call-ID, identical to what the PBX answers for the channel's call-id variable. */
  readonly callId: string;
  readonly caller: string;
  readonly callerName: string;
  readonly called: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly codec: 'PCMU' | 'PCMA';
}

export interface SimCallSource {
  /** Calls up right now. */
  calls(): readonly SimCall[];
}
