import type { SensorClient } from '../sensor/client.ts';

/** The audio hub's vocabulary, shared by the hub, its sessions and the listen server. */

/** What the hub needs from a sensor (SensorClient, or a fake in tests). */
export type SensorAudioSource = Pick<SensorClient, 'id' | 'listCalls' | 'listen' | 'readAudio' | 'listenStop'>;

export interface ListenTarget {
  readonly sensor: string;
  readonly callref: string;
  /** SIP Call-ID: the sensor reuses call references, so the pair is checked before and while listening. */
  readonly callId: string;
}

export type HubState = 'connecting' | 'playing' | 'waiting' | 'ended' | 'sensor_unreachable' | 'sensor_error';

/**
 * Why the hub let go of a listener: too slow, the call ended, the sensor refuses the call for good,
 * or the bot is stopping (the call goes on, so a listener may come back once the bot is up again).
 */
export type HubCloseReason = 'slow' | 'ended' | 'failed' | 'shutdown';

export interface HubListener {
  audio(pcm: Buffer): void;
  /** State changes, with a short user-safe message for the error states. */
  status(state: HubState, message: string | undefined): void;
  /** Bytes queued towards this listener and not yet sent (WebSocket bufferedAmount). */
  backlog(): number;
  /** The hub let go of this listener (see HubCloseReason). */
  close(reason: HubCloseReason): void;
}
