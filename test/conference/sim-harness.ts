import { pbxSchema, type PbxConfig } from '../../src/config.ts';
import { createPbxConnection, type PbxConnection } from '../../src/conference/pbx.ts';
import type { PbxState, RoomChange } from '../../src/conference/types.ts';
import type { KeyValue } from '../../src/conference/room-memory.ts';
import type { Clock } from '../../src/core/clock.ts';
import { startEmbeddedPbx, type EmbeddedPbx, type EmbeddedPbxOptions, type LobbySpec, type PbxDialect } from '../../src/sim/pbx/index.ts';

export interface Harness {
  readonly sim: EmbeddedPbx;
  readonly conn: PbxConnection;
  readonly changes: RoomChange[];
  /** The connection's config, for a second connection to the same PBX (a restarted bot). */
  readonly config: PbxConfig;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly id?: string;
  readonly lobbies?: Readonly<Record<string, LobbySpec>>;
  readonly config?: Record<string, unknown>;
  /** Extra embedded PBX options (originateDelayMs, alsoLoaded, ...). */
  readonly sim?: Partial<Omit<EmbeddedPbxOptions, 'dialect' | 'lobbies'>>;
  /** One clock for the PBX and the connection. */
  readonly now?: () => number;
  /** The connection's timers and time (the PBX reads its time too); tests advance it instead of sleeping. */
  readonly clock?: Clock;
  /** Runs after the PBX is up and before the connection starts (callers already there, slow actions). */
  readonly beforeStart?: (sim: EmbeddedPbx) => void;
  /** How long an answered invite may take to join (the connection's default otherwise). */
  readonly inviteJoinWaitMs?: number;
  /** Where the connection keeps room start times and mutes across restarts. */
  readonly memory?: KeyValue;
}

/** A PbxConnection logged in to a fresh embedded PBX over TCP on 127.0.0.1. */
export async function startHarness(dialect: PbxDialect, opts: HarnessOptions = {}): Promise<Harness> {
  const clock = opts.clock;
  const now = opts.now ?? (clock ? () => clock.now() : undefined);
  const sim = await startEmbeddedPbx({
    dialect, ...opts.sim, ...(opts.lobbies ? { lobbies: opts.lobbies } : {}), ...(now ? { now } : {}),
  });
  const config: PbxConfig = pbxSchema.parse({
    id: opts.id ?? 'sim', host: sim.host, port: sim.port, username: 'bot', secret: 'botsecret',
    pingIntervalMs: 0, actionTimeoutMs: 3000,
    muzak: { channel: 'Local/moh@lobby', context: 'confs', exten: '{room}' },
    stream: { channel: 'Local/icecast@lobby', context: 'confs', exten: '{room}' },
    invite: { channel: 'PJSIP/{number}', context: 'confs', exten: '{room}', timeoutMs: 2000 },
    lobbies: opts.lobbies ?? {},
    ...opts.config,
  });
  opts.beforeStart?.(sim);
  const conn = createPbxConnection(config, {
    amiOverrides: { reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 } },
    resyncRetry: { initialDelayMs: 20, maxDelayMs: 100 },
    ...(opts.now ? { now: opts.now } : {}),
    ...(clock ? { clock } : {}),
    ...(opts.memory ? { memory: opts.memory } : {}),
    ...(opts.inviteJoinWaitMs === undefined ? {} : { inviteJoinWaitMs: opts.inviteJoinWaitMs }),
  });
  const changes: RoomChange[] = [];
  conn.onChange((c) => changes.push(...c));
  await conn.start();
  return {
    sim, conn, changes, config,
    async close() {
      await conn.stop();
      await sim.stop();
    },
  };
}

/** Resolves once the connection's state satisfies `pred` (checked now and after every change). */
export function until(conn: PbxConnection, pred: (s: PbxState) => boolean, timeoutMs = 5000): Promise<PbxState> {
  if (pred(conn.state())) return Promise.resolve(conn.state());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('state condition not reached'));
    }, timeoutMs);
    const off = conn.onChange(() => {
      if (!pred(conn.state())) return;
      clearTimeout(timer);
      off();
      resolve(conn.state());
    });
  });
}

export function names(s: PbxState, room: string): string[] {
  return [...(s.rooms.get(room)?.participants.values() ?? [])].map((p) => p.callerName ?? p.channel);
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Resolves once `pred` holds, checked on every turn of the event loop: for PBX-side facts the connection has no record of. */
export async function eventually(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
