import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import type { Logger } from '../log.ts';
import type { AuditStore, KeyValueStore } from '../store/types.ts';
import { sameCallref } from '../sensor/listcalls.ts';
import type { AudioHub, HubCloseReason, HubListener, HubState } from './hub.ts';
import type { LinkClaims, LinkSigner, VerifyResult } from './links.ts';
import { ASSET_PREFIX, renderNotFoundPage, renderPlayerPage, renderRejectionPage, type InitialState, type PlayerCall } from './page.ts';
import type { SensorCallLister } from './service.ts';

/**
 * The player's HTTP + WebSocket server (fastify). The token is checked on the page load and again
 * when the audio stream starts. Request logging is off and nothing here logs a URL: the token is in it.
 */

export interface ListenServerDeps {
  readonly host: string;
  readonly port: number;
  readonly signer: LinkSigner;
  readonly hub: AudioHub;
  readonly sensors: readonly SensorCallLister[];
  readonly logger: Logger;
  readonly audit?: AuditStore;
  /** A link starts one stream only (config.listen.singleUse). */
  readonly singleUse: boolean;
  /** Where spent single-use nonces are kept, so a used link stays used across a restart. */
  readonly kv?: KeyValueStore;
  /** How often spent nonces whose link has expired are forgotten (default 1 minute). */
  readonly pruneEveryMs?: number;
  /** The URL users open (config.listen.publicBaseUrl); its origin may open the audio stream. Default: this server's URL. */
  readonly publicBaseUrl?: string;
  /** Further page origins that may open the audio stream (config.listen.allowedOrigins), e.g. a reverse proxy's other names. */
  readonly allowedOrigins?: readonly string[];
  /** Time and the link-expiry timers (default: the system clock). */
  readonly clock?: Clock;
}

export interface ListenServer {
  /** `http://host:port`, for building links in tests and logs. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** How long a peer gets to answer a close frame (after a slow drop, or at shutdown) before its socket is cut. */
const SLOW_CLOSE_GRACE_MS = 2000;

/**
 * Close codes the player page understands: it stops for good on these, except `shutdown` (1001 Going
 * Away), which it reconnects after, like after any code not listed here.
 */
export const WS_CLOSE = { expired: 4410, invalid: 4403, slow: 4008, ended: 1000, failed: 4500, shutdown: 1001 } as const;

/** Store key of the spent single-use nonces: one JSON object, nonce → expiry of its link (epoch ms). */
export const SPENT_NONCES_KEY = 'listen.spentNonces';
const spentSchema = z.record(z.string(), z.number());

async function loadSpent(kv: KeyValueStore | undefined, log: Logger): Promise<Map<string, number>> {
  const stored = kv === undefined ? undefined : await kv.get(SPENT_NONCES_KEY);
  if (stored === undefined) return new Map();
  try {
    const parsed = spentSchema.safeParse(JSON.parse(stored));
    if (parsed.success) return new Map(Object.entries(parsed.data));
  } catch {
    // Same as a wrong shape below: an unreadable record must not stop the server.
  }
  log.warn('ignoring an unreadable spent-nonce record in the store');
  return new Map();
}

const ASSETS: Readonly<Record<string, string>> = {
  'player.js': 'text/javascript; charset=utf-8',
  'worklet.js': 'text/javascript; charset=utf-8',
  'player.css': 'text/css; charset=utf-8',
};

async function loadAssets(): Promise<Map<string, Buffer>> {
  const dir = new URL('./public/', import.meta.url);
  const entries = await Promise.all(Object.keys(ASSETS).map(async (name) => [name, await readFile(new URL(name, dir))] as const));
  return new Map(entries);
}

function securityHeaders(reply: FastifyReply, request: FastifyRequest): void {
  const host = request.headers.host ?? '';
  const sameOriginWs = /^[A-Za-z0-9.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  reply.header('content-security-policy',
    `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'${sameOriginWs}; img-src 'self'; ` +
    "media-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-store');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

export async function startListenServer(deps: ListenServerDeps): Promise<ListenServer> {
  const log = deps.logger.child({ component: 'listen-http' });
  const clock = deps.clock ?? systemClock;
  const now = (): number => clock.now();
  const assets = await loadAssets();
  /** Spent single-use nonces and when they can be forgotten (their link's expiry). */
  const spent = deps.singleUse ? await loadSpent(deps.kv, log) : new Map<string, number>();
  /** Writes in order, so an older snapshot never overwrites a newer one. */
  let saving: Promise<void> = Promise.resolve();
  const saveSpent = (): void => {
    const kv = deps.kv;
    if (kv === undefined) return;
    const snapshot = JSON.stringify(Object.fromEntries(spent));
    saving = saving.then(() => kv.set(SPENT_NONCES_KEY, snapshot)).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot save spent listen-link nonces');
    });
  };
  const pruneSpent = (): void => {
    let pruned = false;
    for (const [nonce, until] of spent) {
      if (until > now()) continue;
      spent.delete(nonce);
      pruned = true;
    }
    if (pruned) saveSpent();
  };
  // A timer, not only new arrivals: a quiet server must not keep expired nonces forever.
  let pruneTimer: TimerHandle | undefined;
  const schedulePrune = (): void => {
    pruneTimer = clock.setTimeout(() => {
      pruneSpent();
      schedulePrune();
    }, deps.pruneEveryMs ?? 60_000);
  };
  if (deps.singleUse) schedulePrune();
  /**
   * Each open stream's shutdown: the server closes them itself, before Fastify does (with no code,
   * which the browser sees as 1005) and before the hub ends their sessions (as if the calls ended).
   */
  const streams = new Set<() => Promise<void>>();
  /** Audit records still being written: close() waits for them, the store closes after it. */
  const auditing = new Set<Promise<void>>();
  let closing = false;
  /** Origins whose pages may open the audio stream; set once the server knows its own URL. */
  let allowedOrigins: ReadonlySet<string> = new Set();

  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    // Tokens are a few hundred characters; the default 100 would answer 414.
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  await app.register(websocket, { options: { maxPayload: 1024 } });
  app.addHook('onRequest', async (request, reply) => securityHeaders(reply, request));

  const check = (token: string): VerifyResult | { ok: false; reason: 'used' } => {
    const result = deps.signer.verify(token, now());
    if (result.ok && deps.singleUse && spent.has(result.claims.nonce)) return { ok: false, reason: 'used' };
    return result;
  };

  const describeCall = async (claims: LinkClaims): Promise<{ call: PlayerCall | undefined; state: InitialState }> => {
    const sensor = deps.sensors.find((s) => s.id === claims.sensor);
    if (!sensor) return { call: undefined, state: 'unreachable' };
    try {
      const found = (await sensor.listCalls()).find((c) => sameCallref(c.callref, claims.callref) && c.callId === claims.callId);
      if (!found) return { call: undefined, state: 'ended' };
      return { call: { caller: found.caller, called: found.called, callerName: found.callerName, durationSec: found.durationSec }, state: 'paused' };
    } catch (err) {
      log.warn({ sensor: claims.sensor, err: err instanceof Error ? err.message : String(err) }, 'page load: sensor listcalls failed');
      return { call: undefined, state: 'unreachable' };
    }
  };

  app.get<{ Params: { token: string } }>('/listen/:token', async (request, reply) => {
    const result = check(request.params.token);
    if (!result.ok) {
      const page = renderRejectionPage(result.reason);
      return reply.code(page.status).type('text/html; charset=utf-8').send(page.html);
    }
    const { call, state } = await describeCall(result.claims);
    return reply.type('text/html; charset=utf-8').send(renderPlayerPage(call, state, result.claims.expiresAt));
  });

  app.get<{ Params: { file: string } }>(`${ASSET_PREFIX}/:file`, async (request, reply) => {
    const body = assets.get(request.params.file);
    const type = ASSETS[request.params.file];
    if (!body || !type) return reply.code(404).type('text/html; charset=utf-8').send(renderNotFoundPage());
    return reply.type(type).send(body);
  });

  /**
   * Refuses the upgrade (403) from a page of another origin: a browser sends its page's origin with every
   * WebSocket, so another site cannot play a link it got hold of in its visitors' browsers. A request
   * without Origin (not a browser) is refused too: the player page is the only client.
   */
  const checkOrigin = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const origin = request.headers.origin;
    if (origin !== undefined && allowedOrigins.has(origin)) return;
    log.warn({ origin: origin ?? '(none)' }, 'refused a listen stream from another origin; add it to listen.allowedOrigins (LISTEN_ALLOWED_ORIGINS) if it is your reverse proxy');
    await reply.code(403).type('text/plain; charset=utf-8').send('origin not allowed');
  };

  app.get<{ Params: { token: string } }>('/listen/:token/ws', { websocket: true, preValidation: checkOrigin }, (socket, request) => {
    // A player reconnecting while the streams are being closed is sent to wait for the restart too.
    if (closing) {
      socket.close(WS_CLOSE.shutdown, 'bot stopped');
      return;
    }
    const result = check(request.params.token);
    if (!result.ok) {
      const expired = result.reason === 'expired' || result.reason === 'used';
      socket.send(JSON.stringify({ type: 'status', state: expired ? 'expired' : 'invalid' }));
      socket.close(expired ? WS_CLOSE.expired : WS_CLOSE.invalid, expired ? 'link expired' : 'link not valid');
      return;
    }
    const { claims } = result;
    if (deps.singleUse) {
      spent.set(claims.nonce, claims.expiresAt);
      saveSpent();
    }
    streamCall(socket, claims);
  });

  // Browsers ask for it on every page; an empty answer keeps their consoles free of 404s.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());

  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/html; charset=utf-8').send(renderNotFoundPage()));

  function streamCall(socket: WebSocket, claims: LinkClaims): void {
    const startedAt = now();
    let endReason = 'listener left';
    /** The first reason the server closed the socket for: a later one (the hub ending the session at shutdown) is not the cause. */
    let closedFor: HubCloseReason | 'expired' | undefined;
    /** Closes the socket with the code and reason the player page understands (WS_CLOSE). */
    const closeStream = (reason: HubCloseReason | 'expired'): void => {
      if (closedFor !== undefined) return;
      closedFor = reason;
      if (reason === 'slow') {
        endReason = 'dropped: too slow';
        socket.close(WS_CLOSE.slow, 'too slow');
        // The close frame queues behind the backlog; do not hold that memory for the handshake.
        const cut = clock.setTimeout(() => socket.terminate(), SLOW_CLOSE_GRACE_MS);
        socket.once('close', () => clock.clearTimeout(cut));
      } else if (reason === 'failed') {
        endReason = 'sensor refused';
        socket.close(WS_CLOSE.failed, 'sensor refused');
      } else if (reason === 'expired') {
        endReason = 'link expired';
        socket.send(JSON.stringify({ type: 'status', state: 'expired' }));
        socket.close(WS_CLOSE.expired, 'link expired');
      } else if (reason === 'shutdown') {
        endReason = 'bot stopped';
        socket.close(WS_CLOSE.shutdown, 'bot stopped');
      } else {
        endReason = 'call ended';
        socket.close(WS_CLOSE.ended, 'call ended');
      }
    };
    const listener: HubListener = {
      audio: (pcm) => socket.send(pcm, { binary: true }),
      status: (state: HubState, message) => socket.send(JSON.stringify({ type: 'status', state, ...(message === undefined ? {} : { message }) })),
      backlog: () => socket.bufferedAmount,
      close: closeStream,
    };
    log.info({ sensor: claims.sensor, callref: claims.callref, user: `${claims.actor.platform}:${claims.actor.userId}` }, 'listener joined');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const shutdown = async (): Promise<void> => {
      // A browser already leaving keeps its own reason.
      if (socket.readyState === socket.OPEN) closeStream('shutdown');
      // A peer that never answers the close frame must not hold up the bot's exit.
      const cut = clock.setTimeout(() => socket.terminate(), SLOW_CLOSE_GRACE_MS);
      await closed;
      clock.clearTimeout(cut);
    };
    streams.add(shutdown);
    // The link's expiry bounds the stream too, not only its start: a link is a grant for its lifetime.
    const expiry = clock.setTimeout(() => {
      if (socket.readyState === socket.OPEN) closeStream('expired');
    }, Math.max(0, claims.expiresAt - now()));
    const unsubscribe = deps.hub.subscribe({ sensor: claims.sensor, callref: claims.callref, callId: claims.callId }, listener);
    socket.on('close', () => {
      streams.delete(shutdown);
      clock.clearTimeout(expiry);
      unsubscribe();
      const seconds = Math.round((now() - startedAt) / 1000);
      log.info({ sensor: claims.sensor, callref: claims.callref, seconds, reason: endReason }, 'listener left');
      const audited = deps.audit?.append({
        at: now(),
        correlationId: randomUUID(),
        actor: claims.actor,
        command: 'listen',
        pbx: undefined,
        room: undefined,
        target: `call ${claims.callId} (${claims.callref} on sensor ${claims.sensor})`,
        decision: 'allowed',
        outcome: 'ok',
        detail: `listened ${seconds} s; ${endReason}`,
      }).catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'audit append failed'));
      if (audited === undefined) return;
      auditing.add(audited);
      void audited.finally(() => auditing.delete(audited));
    });
    socket.on('error', (err) => log.debug({ err: err.message }, 'listener socket error'));
  }

  await app.listen({ host: deps.host, port: deps.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : deps.port;
  const shownHost = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
  const url = `http://${shownHost}:${port}`;
  allowedOrigins = new Set([new URL(deps.publicBaseUrl ?? url).origin, ...(deps.allowedOrigins ?? [])]);
  log.info({ host: deps.host, port }, 'listen server started');
  return {
    url,
    port,
    close: async () => {
      if (pruneTimer !== undefined) clock.clearTimeout(pruneTimer);
      closing = true;
      await Promise.all([...streams].map((shutdown) => shutdown()));
      await app.close();
      await saving;
      await Promise.all([...auditing]);
    },
  };
}
