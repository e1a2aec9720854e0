import { apiMessage, BOT_USER, EPHEMERAL, snowflake, type FakeState, type MessageBody } from './state.ts';

/**
 * The REST half of the fake Discord: the routes discord.js and the adapter call, answered the way
 * Discord answers them (status codes, JSON error bodies with numeric codes, rate-limit headers).
 */

export interface RestAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

export type Failure =
  | {
      readonly kind: 'ratelimited';
      readonly retryAfterSec: number;
      /** X-RateLimit-Bucket; default a hash of the route. */
      readonly bucket?: string;
      readonly scope?: 'user' | 'shared' | 'global';
    }
  | { readonly kind: 'api'; readonly status: number; readonly code: number; readonly message: string }
  /** Acts at once (a message is created) but answers only after `delayMs`, like a Discord under load. */
  | { readonly kind: 'late'; readonly delayMs: number };

/** A failure that replaces the answer (a late one still gives the route's answer). */
export type RefusalFailure = Exclude<Failure, { readonly kind: 'late' }>;

/** The JSON errors Discord answers with, by code. */
export const DISCORD_ERRORS = {
  unknownChannel: { kind: 'api', status: 404, code: 10003, message: 'Unknown Channel' },
  unknownMessage: { kind: 'api', status: 404, code: 10008, message: 'Unknown Message' },
  oldMessageEdits: { kind: 'api', status: 400, code: 30046, message: 'Maximum number of edits to messages older than 1 hour reached. Try again later' },
  missingAccess: { kind: 'api', status: 403, code: 50001, message: 'Missing Access' },
  missingPermissions: { kind: 'api', status: 403, code: 50013, message: 'Missing Permissions' },
} as const satisfies Record<string, RefusalFailure>;

export function failureAnswer(failure: RefusalFailure, path: string): RestAnswer {
  if (failure.kind === 'api') return { status: failure.status, body: { message: failure.message, code: failure.code } };
  const scope = failure.scope ?? 'user';
  const headers: Record<string, string> = {
    'retry-after': String(failure.retryAfterSec),
    'x-ratelimit-limit': '5',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset-after': String(failure.retryAfterSec),
    'x-ratelimit-bucket': failure.bucket ?? `bucket-${path.replace(/\d{5,}/g, ':id')}`,
    'x-ratelimit-scope': scope,
  };
  if (scope === 'global') headers['x-ratelimit-global'] = 'true';
  return { status: 429, headers, body: { message: 'You are being rate limited.', retry_after: failure.retryAfterSec, global: scope === 'global' } };
}

const NOT_FOUND: RestAnswer = { status: 404, body: { message: '404: Not Found', code: 0 } };
const NO_CONTENT: RestAnswer = { status: 204, body: undefined };

function asBody(body: unknown): MessageBody {
  return typeof body === 'object' && body !== null ? (body as MessageBody) : {};
}

export interface RestContext {
  readonly state: FakeState;
  readonly gatewayUrl: () => string;
}

type Handler = (ctx: RestContext, req: RestRequest, params: readonly string[]) => RestAnswer;

function message(ctx: RestContext, id: string | undefined, channelId?: string): ReturnType<FakeState['messages']['get']> {
  const m = id === undefined ? undefined : ctx.state.messages.get(id);
  if (m === undefined || m.deleted || (channelId !== undefined && m.channelId !== channelId)) return undefined;
  return m;
}

const ROUTES: readonly (readonly [method: string, path: RegExp, handler: Handler])[] = [
  ['GET', /^\/users\/@me$/, () => ({ status: 200, body: BOT_USER })],
  ['GET', /^\/gateway\/bot$/, (ctx) => ({
    status: 200,
    body: { url: ctx.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } },
  })],
  ['GET', /^\/gateway$/, (ctx) => ({ status: 200, body: { url: ctx.gatewayUrl() } })],
  ['PUT', /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, (ctx, req, [, guild]) => registerCommands(ctx, `guild:${guild ?? ''}`, req.body)],
  ['PUT', /^\/applications\/(\d+)\/commands$/, (ctx, req) => registerCommands(ctx, 'global', req.body)],
  // A DM channel per recipient: its id is the user's id with a 1 in front.
  ['POST', /^\/users\/@me\/channels$/, (_ctx, req) => {
    const recipient = String(asBody(req.body)['recipient_id'] ?? '');
    return /^\d{1,19}$/.test(recipient) ? { status: 200, body: { id: `1${recipient}`, type: 1 } } : NOT_FOUND;
  }],
  ['POST', /^\/channels\/(\d+)\/messages$/, (ctx, req, [channel]) => {
    const body = asBody(req.body);
    const ref = body['message_reference'] as { message_id?: string } | undefined;
    // enforce_nonce: the same nonce from the same author within minutes returns the message it made.
    const nonce = body['enforce_nonce'] === true && typeof body['nonce'] === 'string' ? `${channel ?? ''}/${body['nonce']}` : undefined;
    const earlier = nonce === undefined ? undefined : ctx.state.messages.get(ctx.state.nonces.get(nonce) ?? '');
    if (earlier !== undefined) return { status: 200, body: apiMessage(earlier) };
    const m = ctx.state.addMessage(channel ?? '', body, ref?.message_id !== undefined ? { replyTo: ref.message_id } : {});
    if (nonce !== undefined) ctx.state.nonces.set(nonce, m.id);
    return { status: 200, body: apiMessage(m) };
  }],
  ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, (ctx, req, [channel, id]) => {
    const m = message(ctx, id, channel);
    if (m === undefined) return failureAnswer(DISCORD_ERRORS.unknownMessage, req.path);
    ctx.state.editMessage(m, asBody(req.body));
    return { status: 200, body: apiMessage(m) };
  }],
  ['DELETE', /^\/channels\/(\d+)\/messages\/(\d+)$/, (ctx, req, [channel, id]) => {
    const m = message(ctx, id, channel);
    if (m === undefined) return failureAnswer(DISCORD_ERRORS.unknownMessage, req.path);
    m.deleted = true;
    return NO_CONTENT;
  }],
  ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, (ctx, req, [id, token]) => interactionCallback(ctx, req, id ?? '', token ?? '')],
  ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, (ctx, req, [, token]) => {
    const body = asBody(req.body);
    const m = ctx.state.addMessage(channelOf(ctx, token ?? ''), body, { interactionUser: ctx.state.tokens.get(token ?? '')?.userId ?? '' });
    return { status: 200, body: apiMessage(m) };
  }],
  ['GET', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, (ctx, req, [, token]) => {
    const m = message(ctx, ctx.state.originals.get(token ?? ''));
    return m === undefined ? failureAnswer(DISCORD_ERRORS.unknownMessage, req.path) : { status: 200, body: apiMessage(m) };
  }],
  ['PATCH', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (ctx, req, [, token, which]) => {
    const id = which === '@original' ? ctx.state.originals.get(token ?? '') : which;
    const m = message(ctx, id);
    if (m === undefined) return failureAnswer(DISCORD_ERRORS.unknownMessage, req.path);
    ctx.state.editMessage(m, asBody(req.body));
    return { status: 200, body: apiMessage(m) };
  }],
  ['DELETE', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (ctx, req, [, token, which]) => {
    const id = which === '@original' ? ctx.state.originals.get(token ?? '') : which;
    const m = message(ctx, id);
    if (m === undefined) return failureAnswer(DISCORD_ERRORS.unknownMessage, req.path);
    m.deleted = true;
    return NO_CONTENT;
  }],
];

function channelOf(ctx: RestContext, token: string): string {
  return ctx.state.tokens.get(token)?.channelId ?? '0';
}

function registerCommands(ctx: RestContext, scope: string, body: unknown): RestAnswer {
  const list = Array.isArray(body) ? body : [];
  const registered = list.map((c: unknown) => ({ ...(c as Record<string, unknown>), id: snowflake(), version: snowflake() }));
  ctx.state.commands.set(scope, registered);
  return { status: 200, body: registered };
}

/** Interaction callback types: 4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete. */
function interactionCallback(ctx: RestContext, req: RestRequest, id: string, token: string): RestAnswer {
  const body = asBody(req.body);
  const type = body['type'];
  const data = asBody(body['data']);
  const user = ctx.state.tokens.get(token)?.userId ?? '';
  if (type === 8) {
    ctx.state.autocomplete.set(id, data['choices']);
  } else if (type === 4 || type === 5) {
    const flags = typeof data.flags === 'number' ? data.flags & EPHEMERAL : 0;
    const content = type === 5 ? '' : data;
    const m = ctx.state.addMessage(channelOf(ctx, token), asBody(content), { interactionUser: user, flags });
    ctx.state.originals.set(token, m.id);
  }
  if (req.query.get('with_response') === 'true') {
    return { status: 200, body: { interaction: { id, type: 2, activity_instance_id: null, response_message_id: ctx.state.originals.get(token) ?? null, response_message_loading: type === 5, response_message_ephemeral: false } } };
  }
  return NO_CONTENT;
}

export function route(ctx: RestContext, req: RestRequest): RestAnswer {
  for (const [method, pattern, handler] of ROUTES) {
    if (method !== req.method) continue;
    const match = pattern.exec(req.path);
    if (match !== null) return handler(ctx, req, match.slice(1));
  }
  return NOT_FOUND;
}
