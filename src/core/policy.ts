import type { RoleGrant, RoleName } from '../config.ts';
import type { Actor } from '../kernel/chat.ts';
import type { Action } from './actions.ts';

/**
 * Who may do what. Roles are ordered, a higher one includes the lower ones: viewer (see rooms),
 * listener (live listening), moderator (change a room), admin (alerts, audit, config view). Grants come from
 * config and are scoped by PBX and room globs. Pure: the middleware audits each decision.
 */

export const ROLES: readonly RoleName[] = ['viewer', 'listener', 'moderator', 'admin'];

/** `anyone` needs no grant at all (help, whoami). */
export type Requirement = RoleName | 'anyone';

export interface Scope {
  readonly pbx: string | undefined;
  readonly room: string | undefined;
  /**
   * The question is about every PBX and room at once (`calls`, `listen call`): only grants for
   * pbx `*` and rooms `*` count, since a call on a sensor cannot be tied to a room the grant covers.
   */
  readonly everywhere?: boolean;
}

/** The scope of commands that reach every call on every sensor. */
export const EVERYWHERE: Scope = { pbx: undefined, room: undefined, everywhere: true };

export interface Decision {
  readonly allowed: boolean;
  readonly required: Requirement;
  /** The actor's best role in this scope, if any. */
  readonly role: RoleName | undefined;
  /** Which grant gave the role, for the audit trail. */
  readonly reason: string;
}

export function roleRank(role: RoleName): number {
  return ROLES.indexOf(role);
}

/** Turning a page needs only sight of the room; cancelling a question changes nothing; the rest change the room. */
export function requiredRoleForAction(action: Action): Requirement {
  if (action.kind === 'cancel') return 'anyone';
  if (action.kind === 'alert') return action.op === 'show' ? 'viewer' : 'moderator';
  return action.kind === 'page' ? 'viewer' : 'moderator';
}

/** `*` matches any run of characters, `?` one character; everything else literally. */
export function globMatch(glob: string, text: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 's').test(text);
}

function grantNames(actor: Actor, grant: RoleGrant): string | undefined {
  const user = `${actor.platform}:${actor.userId}`;
  const byUser = grant.users.find((u) => u === '*' || globMatch(u, user));
  if (byUser !== undefined) return `user ${byUser}`;
  const byGroup = grant.groups.find((g) => actor.groups.some((id) => globMatch(g, `${actor.platform}:${id}`)));
  return byGroup === undefined ? undefined : `group ${byGroup}`;
}

function inScope(grant: RoleGrant, scope: Scope): boolean {
  if (scope.everywhere === true) return grant.pbx === '*' && grant.rooms === '*';
  return (scope.pbx === undefined || globMatch(grant.pbx, scope.pbx)) && (scope.room === undefined || globMatch(grant.rooms, scope.room));
}

export interface PolicyOptions {
  /** Grants from config. */
  readonly grants: readonly RoleGrant[];
  /** Given admin everywhere (the shell user, the embedded demo); stated in `whoami`. */
  readonly localAdmin?: { readonly platform: string; readonly userId: string } | undefined;
}

export class Policy {
  readonly #grants: readonly RoleGrant[];
  /** Nothing configured: reads are open to everyone, changes are denied. */
  readonly #openReads: boolean;

  constructor(options: PolicyOptions) {
    this.#openReads = options.grants.length === 0;
    const local: RoleGrant[] = options.localAdmin === undefined
      ? []
      : [{ role: 'admin', users: [`${options.localAdmin.platform}:${options.localAdmin.userId}`], groups: [], pbx: '*', rooms: '*' }];
    this.#grants = [...local, ...options.grants];
  }

  /** The actor's highest role in `scope`; an unscoped question counts grants for any PBX or room. */
  roleOf(actor: Actor, scope: Scope): { readonly role: RoleName | undefined; readonly reason: string } {
    let best: { role: RoleName | undefined; reason: string } = this.#openReads
      ? { role: 'viewer', reason: 'no roles configured: everyone may view' }
      : { role: undefined, reason: 'no grant matches' };
    for (const grant of this.#grants) {
      if (!inScope(grant, scope)) continue;
      const how = grantNames(actor, grant);
      if (how === undefined) continue;
      if (best.role === undefined || roleRank(grant.role) > roleRank(best.role)) {
        best = { role: grant.role, reason: `${grant.role} via ${how} (pbx ${grant.pbx}, rooms ${grant.rooms})` };
      }
    }
    return best;
  }

  decide(actor: Actor, required: Requirement, scope: Scope): Decision {
    const { role, reason } = this.roleOf(actor, scope);
    const allowed = required === 'anyone' || (role !== undefined && roleRank(role) >= roleRank(required));
    return { allowed, required, role, reason };
  }
}
