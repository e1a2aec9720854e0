import { randomBytes } from 'node:crypto';
import type { RoleGrant } from '../config.ts';
import { RoomNotFoundError } from '../conference/errors.ts';
import { toBotError, type BotError, type ErrorCode } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { AuditStore } from '../store/types.ts';
import { decodeAction, type Action } from './actions.ts';
import type { Actor, ChatAdapter, InboundContext, InboundHandlers } from './adapter.ts';
import { createAuditor, type Auditor } from './audit.ts';
import { parseCommand, type Command } from './commands.ts';
import { Dispatcher, type RoomDirectory, type RoomTarget } from './dispatcher.ts';
import { NotAuthorizedError } from './errors.ts';
import { ackFirst, ackOnce, compose, type Middleware } from './middleware.ts';
import {
  EVERYWHERE, needsAllRooms, Policy, requiredRoleForAction, requiredRoleForCommand, type Decision, type Requirement, type Scope,
} from './policy.ts';
import type { ConfigSummary, ListenService, WatchService } from './services.ts';
import { errorView } from './views.ts';

export interface BotDeps {
  directory: RoomDirectory;
  grants: RoleGrant[];
  /** The local user (shell, embedded demo) gets admin everywhere; `whoami` says so. */
  localAdmin?: { platform: string; userId: string };
  audit?: AuditStore;
  watch?: WatchService;
  listen?: ListenService;
  /** The running configuration, without secrets, for `config`; without it `config` says it is not available. */
  configSummary?: () => ConfigSummary;
  logger?: Logger;
  now?: () => number;
  newCorrelationId?: () => string;
}

type Operation =
  | { readonly kind: 'command'; readonly command: Command; readonly target: RoomTarget | undefined }
  | { readonly kind: 'action'; readonly action: Action };

/** One inbound event on its way through the middleware; later steps fill in what earlier ones learn. */
interface Request {
  readonly inbound: InboundContext;
  readonly adapter: ChatAdapter;
  readonly correlationId: string;
  readonly ack: () => Promise<void>;
  readonly input: { readonly kind: 'command'; readonly text: string } | { readonly kind: 'action'; readonly id: string };
  readonly log: Logger;
  op?: Operation;
  decision?: Decision;
  /** Name recorded in the audit trail (`mute`, `unlock`, `kick_all`...). */
  name?: string;
  target?: string | undefined;
  /** Where the request acts, for the policy and the audit trail; narrowed once the room is resolved. */
  scope?: Scope;
  /** Set once the outcome is in the audit trail, so a later reply failure is not recorded twice. */
  audited?: boolean;
}

function auditName(op: Operation): string {
  if (op.kind === 'command') return op.command.name;
  const { action } = op;
  if (action.kind === 'mute') return action.on ? 'mute' : 'unmute';
  if (action.kind === 'mute_all') return action.on ? 'mute_all' : 'unmute_all';
  if (action.kind === 'lock') return action.on ? 'lock' : 'unlock';
  return action.kind;
}

/** The target as typed, so a failed command's audit record still says whom it was aimed at. */
function typedTarget(command: Command): string | undefined {
  switch (command.name) {
    case 'mute':
    case 'unmute':
    case 'kick':
      return command.who.kind === 'all' ? 'everyone' : command.who.text;
    case 'topic':
    case 'transfer':
    case 'bringin':
      return command.who;
    case 'invite':
      return command.number;
    case 'listen':
      return command.target.kind === 'call' ? command.target.callref : command.target.who;
    case 'calls':
      return command.filter;
    default:
      return 'room' in command ? command.room : undefined;
  }
}

/** The PBX named in a typed `pbx/room`, known before the room is looked up. */
function typedPbx(roomText: string | undefined): string | undefined {
  const slash = roomText?.indexOf('/') ?? -1;
  return roomText !== undefined && slash > 0 ? roomText.slice(0, slash) : undefined;
}

/**
 * Failures that are answers to what someone asked (a typo, a refusal, nobody by that name, a busy
 * line): nothing is broken, so a stack trace would only bury the lines that matter.
 */
const EXPECTED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'bad_command', 'bad_action', 'not_authorized', 'not_available_yet', 'room_not_found', 'pbx_not_found',
  'participant_not_found', 'ambiguous_participant', 'already_left', 'action_refused', 'call_not_found', 'unsafe_dial_value',
]);

/** Expected failures at info with code and message; bugs at error and transport failures at warn, with the stack. */
function logFailure(log: Logger, err: BotError): void {
  if (EXPECTED_CODES.has(err.code)) log.info({ code: err.code, message: err.message }, 'request failed');
  else log[err.code === 'internal' ? 'error' : 'warn']({ err, code: err.code }, 'request failed');
}

/**
 * The bot core: parse → authorize → dispatch, as middleware around every command and button press
 * from any adapter. Knows no platform SDK; talks to platforms only through ChatAdapter.
 */
export class Bot {
  readonly #deps: BotDeps;
  /** Parent of the helpers' loggers, which set their own `component`: pino would repeat the key. */
  readonly #rootLog: Logger;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #newCorrelationId: () => string;
  readonly #policy: Policy;
  readonly #auditor: Auditor;
  readonly #dispatcher: Dispatcher;

  constructor(deps: BotDeps) {
    this.#deps = deps;
    this.#rootLog = deps.logger ?? silentLogger();
    this.#log = this.#rootLog.child({ component: 'core' });
    this.#now = deps.now ?? Date.now;
    this.#newCorrelationId = deps.newCorrelationId ?? (() => randomBytes(4).toString('hex'));
    this.#policy = new Policy({ grants: deps.grants, localAdmin: deps.localAdmin });
    this.#auditor = createAuditor({ logger: this.#rootLog, store: deps.audit, now: this.#now });
    this.#dispatcher = new Dispatcher({
      directory: deps.directory, policy: this.#policy, now: this.#now, audit: deps.audit, watch: deps.watch, listen: deps.listen,
      configSummary: deps.configSummary,
    });
  }

  handlersFor(adapter: ChatAdapter): InboundHandlers {
    const run = compose<Request>([
      ackFirst<Request>(adapter.limits.ackDeadlineMs, this.#rootLog),
      this.#errorSink(),
      this.#parse(),
      this.#authorize(),
      this.#dispatch(),
    ]);
    const request = (inbound: InboundContext, input: Request['input']): Request => {
      const correlationId = this.#newCorrelationId();
      return {
        inbound, adapter, correlationId, input,
        ack: ackOnce(() => inbound.ack()),
        log: this.#log.child({ correlationId, platform: inbound.actor.platform, user: inbound.actor.userId }),
      };
    };
    return {
      command: (ctx, text) => run(request(ctx, { kind: 'command', text })),
      action: (ctx, actionId) => run(request(ctx, { kind: 'action', id: actionId })),
    };
  }

  #isLocalAdmin(inbound: InboundContext): boolean {
    const local = this.#deps.localAdmin;
    return local !== undefined && local.platform === inbound.actor.platform && local.userId === inbound.actor.userId;
  }

  async #audit(req: Request, decision: 'allowed' | 'denied', outcome: 'ok' | 'error' | 'denied' | 'unknown', detail: string | undefined): Promise<void> {
    const scope = req.scope ?? { pbx: undefined, room: undefined };
    const { platform, userId, displayName } = req.inbound.actor;
    await this.#auditor.record({
      correlationId: req.correlationId,
      actor: { platform, userId, displayName },
      command: req.name ?? 'unknown',
      pbx: scope.pbx,
      room: scope.room,
      target: req.target,
      decision,
      outcome,
      detail,
    });
  }

  /**
   * One error sink: a short message and the correlation id to the user, the detail to the log. The
   * message is shaped for the actor here, the one place that knows who asked: room lists narrowed to
   * rooms they may view, config hints only for an admin.
   */
  #errorSink(): Middleware<Request> {
    return async (req, next) => {
      try {
        await next();
      } catch (thrown) {
        const err = toBotError(thrown);
        logFailure(req.log, err);
        if (req.decision?.allowed === true && req.audited !== true) {
          await this.#audit(req, 'allowed', err.code === 'outcome_unknown' ? 'unknown' : 'error', err.code);
        }
        try {
          const shown = this.#visibleTo(err, req.inbound.actor);
          const forAdmin = shown.adminHint !== undefined && this.#isAdminHere(req);
          await req.adapter.reply(req.inbound.interaction, errorView(shown, req.correlationId, { forAdmin }), { ephemeral: true });
        } catch (replyErr) {
          req.log.warn({ err: replyErr }, 'could not deliver the error reply');
        }
      }
    };
  }

  /** A room that ended between lookup and action must not reveal the PBX's other rooms to a narrow grant. */
  #visibleTo(err: BotError, actor: Actor): BotError {
    if (!(err instanceof RoomNotFoundError)) return err;
    return err.listing((room) => this.#policy.decide(actor, 'viewer', { pbx: err.pbx, room }).allowed);
  }

  /** Admin of the request's scope; before the scope is known, only an admin of every room counts. */
  #isAdminHere(req: Request): boolean {
    return this.#policy.decide(req.inbound.actor, 'admin', req.scope ?? EVERYWHERE).allowed;
  }

  #parse(): Middleware<Request> {
    return async (req, next) => {
      if (req.input.kind === 'action') {
        const action = decodeAction(req.input.id);
        req.op = { kind: 'action', action };
        req.target = 'uniqueid' in action ? action.uniqueid : undefined;
        req.scope = { pbx: action.pbx, room: action.room };
      } else {
        const parsed = parseCommand(req.input.text);
        if (!parsed.ok) throw parsed.error;
        req.op = { kind: 'command', command: parsed.command, target: undefined };
        req.target = typedTarget(parsed.command);
        req.scope = needsAllRooms(parsed.command)
          ? EVERYWHERE
          : { pbx: typedPbx(this.#dispatcher.roomOf(parsed.command)), room: undefined };
      }
      req.name = auditName(req.op);
      await next();
    };
  }

  /**
   * Authorizes before the room is looked up, at the scope known so far, so that someone with no
   * grant learns nothing about which rooms exist; then looks the room up, suggesting only rooms the
   * actor may view, and authorizes again for that room.
   */
  #authorize(): Middleware<Request> {
    return async (req, next) => {
      const op = req.op as Operation;
      if (op.kind === 'action') {
        await this.#check(req, requiredRoleForAction(op.action));
        await next();
        return;
      }
      const required = requiredRoleForCommand(op.command);
      const roomText = this.#dispatcher.roomOf(op.command);
      await this.#check(req, required, roomText);
      if (roomText !== undefined) {
        const { actor } = req.inbound;
        const target = this.#dispatcher.resolveRoom(roomText, op.command.name, (room) => this.#policy.decide(actor, 'viewer', room).allowed);
        req.op = { ...op, target };
        req.scope = target;
        await this.#check(req, required);
      }
      await next();
    };
  }

  /** One policy decision at `req.scope`; a denial is audited and answered. */
  async #check(req: Request, required: Requirement, roomText?: string): Promise<void> {
    const scope = req.scope ?? { pbx: undefined, room: undefined };
    const decision = this.#policy.decide(req.inbound.actor, required, scope);
    req.decision = decision;
    if (decision.allowed) return;
    // The audit trail names the room even when the refusal came before it was looked up.
    if (roomText !== undefined) req.scope = this.#deps.directory.findRoom(roomText) ?? { pbx: scope.pbx, room: roomText.slice(roomText.indexOf('/') + 1) };
    const everywhere = scope.everywhere === true;
    await this.#audit(req, 'denied', 'denied', `needs ${decision.required}${everywhere ? ' on all rooms' : ''}; ${decision.reason}`);
    throw new NotAuthorizedError(req.name ?? 'that', decision.required, decision.reason, everywhere);
  }

  #dispatch(): Middleware<Request> {
    return async (req) => {
      const op = req.op as Operation;
      const env = { actor: req.inbound.actor, conversation: req.inbound.conversation, localAdmin: this.#isLocalAdmin(req.inbound) };
      const outcome = op.kind === 'command'
        ? await this.#dispatcher.runCommand(op.command, op.target, env)
        : await this.#dispatcher.runAction(op.action, env);
      req.target = outcome.target ?? req.target;
      req.audited = true;
      await this.#audit(req, 'allowed', 'ok', outcome.detail ?? req.decision?.reason);
      if (outcome.view !== undefined) await req.adapter.reply(req.inbound.interaction, outcome.view, { ephemeral: outcome.ephemeral });
      await this.#refresh(req, outcome.refresh);
    };
  }

  /** A press on a one-shot status message re-renders it; live status messages are the WatchService's to edit. */
  async #refresh(req: Request, target: RoomTarget | undefined): Promise<void> {
    const message = req.inbound.message;
    if (target === undefined || message === undefined || this.#deps.watch !== undefined) return;
    try {
      await req.adapter.update(message, this.#dispatcher.statusView(target));
    } catch (err) {
      req.log.warn({ err }, 'could not refresh the status message');
    }
  }
}
