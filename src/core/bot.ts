import { randomBytes } from 'node:crypto';
import type { RoleGrant } from '../config.ts';
import { RoomNotFoundError } from '../conference/errors.ts';
import { isExpectedCode, toBotError, type BotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { AuditStore } from '../store/types.ts';
import { decodeAction, type Action } from './actions.ts';
import type { AlertControl } from './alert-control.ts';
import type { Actor, ChatAdapter, InboundContext, InboundHandlers } from './adapter.ts';
import { createAuditor, type Auditor } from './audit.ts';
import type { Clock } from '../kernel/clock.ts';
import { systemClock } from '../kernel/clock.ts';
import type { Visibility } from '../kernel/chat.ts';
import { needsAllRooms, requiredRoleForCommand } from './command-policy.ts';
import { parseCommand, type Command, type ParseResult } from './commands.ts';
import { specFor } from './commands/index.ts';
import { Dispatcher, type AdapterTraits, type PageTurn, type RoomDirectory, type RoomTarget } from './dispatcher.ts';
import { NotAuthorizedError } from './errors.ts';
import { ackFirst, ackOnce, compose, type Middleware } from './middleware.ts';
import { pagedStatusView } from './paging.ts';
import { EVERYWHERE, Policy, requiredRoleForAction, type Decision, type Requirement, type Scope } from './policy.ts';
import type { ConfigSummary, ListenService, QualityService, WatchService } from './services.ts';
import { errorView, type View } from './views.ts';

export interface BotDeps {
  directory: RoomDirectory;
  grants: RoleGrant[];
  /** The local user (shell, embedded demo) gets admin everywhere; `whoami` says so. */
  localAdmin?: { platform: string; userId: string };
  audit?: AuditStore;
  watch?: WatchService;
  listen?: ListenService;
  quality?: QualityService;
  /** The running configuration, without secrets, for `config`; without it `config` says it is not available. */
  configSummary?: () => ConfigSummary;
  /** Hangup alerts (rules, Ack / Resolve / Silence); without them `alerts` says they are not set up. */
  alerts?: AlertControl;
  logger?: Logger;
  now?: () => number;
  /** Timers (the ack deadline); defaults to the system clock. */
  clock?: Clock;
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
  readonly ack: (visibility: Visibility) => Promise<void>;
  /** Who will see the reply, known before dispatch: from the command's spec; presses and errors are private. */
  readonly visibility: Visibility;
  readonly input: { readonly kind: 'command'; readonly text: string; readonly parsed: ParseResult } | { readonly kind: 'action'; readonly id: string };
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
  // A confirmed press is recorded as the change it confirmed.
  const action = op.action.kind === 'confirm' ? op.action.action : op.action;
  if (action.kind === 'mute') return action.on ? 'mute' : 'unmute';
  if (action.kind === 'mute_all') return action.on ? 'mute_all' : 'unmute_all';
  if (action.kind === 'lock') return action.on ? 'lock' : 'unlock';
  if (action.kind === 'alert') return `alert_${action.op}`;
  return action.kind;
}

/** The PBX named in a typed `pbx/room`, known before the room is looked up. */
function typedPbx(roomText: string | undefined): string | undefined {
  const slash = roomText?.indexOf('/') ?? -1;
  return roomText !== undefined && slash > 0 ? roomText.slice(0, slash) : undefined;
}

/** Expected failures at info with code and message; bugs at error and transport failures at warn, with the stack. */
function logFailure(log: Logger, err: BotError): void {
  if (isExpectedCode(err.code)) log.info({ code: err.code, message: err.message }, 'request failed');
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
  readonly #clock: Clock;

  constructor(deps: BotDeps) {
    this.#deps = deps;
    this.#rootLog = deps.logger ?? silentLogger();
    this.#log = this.#rootLog.child({ component: 'core' });
    this.#clock = deps.clock ?? systemClock;
    this.#now = deps.now ?? (() => this.#clock.now());
    this.#newCorrelationId = deps.newCorrelationId ?? (() => randomBytes(4).toString('hex'));
    this.#policy = new Policy({ grants: deps.grants, localAdmin: deps.localAdmin });
    this.#auditor = createAuditor({ logger: this.#rootLog, store: deps.audit, now: this.#now });
    this.#dispatcher = new Dispatcher({
      directory: deps.directory, policy: this.#policy, now: this.#now, audit: deps.audit, watch: deps.watch, listen: deps.listen,
      quality: deps.quality, configSummary: deps.configSummary, alerts: deps.alerts,
    });
  }

  handlersFor(adapter: ChatAdapter): InboundHandlers {
    const run = compose<Request>([
      ackFirst<Request>(adapter.limits.ackDeadlineMs, this.#rootLog, this.#clock),
      this.#errorSink(),
      this.#parse(),
      this.#authorize(),
      this.#dispatch(),
    ]);
    const request = (inbound: InboundContext, input: Request['input'], visibility: Visibility): Request => {
      const correlationId = this.#newCorrelationId();
      return {
        inbound, adapter, correlationId, input, visibility,
        ack: ackOnce((v) => inbound.ack(v)),
        log: this.#log.child({ correlationId, platform: inbound.actor.platform, user: inbound.actor.userId }),
      };
    };
    return {
      command: (ctx, text) => {
        // Parsing is pure and quick: it runs before the ack so the ack can say who sees the reply.
        const parsed = parseCommand(text);
        const visibility = parsed.ok ? this.#dispatcher.visibilityOf(parsed.command) : 'private';
        return run(request(ctx, { kind: 'command', text, parsed }, visibility));
      },
      action: (ctx, actionId) => run(request(ctx, { kind: 'action', id: actionId }, 'private')),
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
        const acted = action.kind === 'confirm' ? action.action : action;
        req.target = 'uniqueid' in acted ? acted.uniqueid : undefined;
        req.scope = { pbx: action.pbx, room: action.room };
      } else {
        const { parsed } = req.input;
        if (!parsed.ok) throw parsed.error;
        req.op = { kind: 'command', command: parsed.command, target: undefined };
        req.target = specFor(parsed.command).auditTarget(parsed.command);
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
        const target = this.#dispatcher.resolveRoom(roomText, op.command, (room) => this.#policy.decide(actor, 'viewer', room).allowed);
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
      const traits: AdapterTraits = { nativeDialogs: req.adapter.limits.nativeConfirmDialogs === true };
      const outcome = op.kind === 'command'
        ? await this.#dispatcher.runCommand(op.command, op.target, env, traits)
        : await this.#dispatcher.runAction(op.action, env, traits);
      req.target = outcome.target ?? req.target;
      req.audited = true;
      await this.#audit(req, 'allowed', 'ok', outcome.detail ?? req.decision?.reason);
      if (outcome.view !== undefined) await req.adapter.reply(req.inbound.interaction, this.#firstPage(req, outcome.view), { ephemeral: req.visibility === 'private' });
      await this.#refresh(req, outcome.refresh);
      if (outcome.page !== undefined) await this.#turnPage(req, outcome.page);
    };
  }

  /** A status view sent as a reply starts on its first page, paged by the adapter's budget. */
  #firstPage(req: Request, view: View): View {
    return view.kind === 'status' ? pagedStatusView(view, 0, req.adapter.limits.maxRowsPerPage) : view;
  }

  /**
   * A page button: a live status message keeps the page across its later edits (the WatchService's);
   * any other status message is redrawn once on that page from the room as it is now.
   */
  async #turnPage(req: Request, turn: PageTurn): Promise<void> {
    const message = req.inbound.message;
    if (message === undefined || this.#deps.watch?.showPage(message, turn.page) === true) return;
    const view = pagedStatusView(this.#dispatcher.statusView(turn), turn.page, req.adapter.limits.maxRowsPerPage);
    await req.adapter.update(message, view);
  }

  /** A press on a one-shot status message re-renders it; live status messages are the WatchService's to edit. */
  async #refresh(req: Request, target: RoomTarget | undefined): Promise<void> {
    const message = req.inbound.message;
    if (target === undefined || message === undefined || this.#deps.watch !== undefined) return;
    try {
      await req.adapter.update(message, this.#firstPage(req, this.#dispatcher.statusView(target)));
    } catch (err) {
      req.log.warn({ err }, 'could not refresh the status message');
    }
  }
}
