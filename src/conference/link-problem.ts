import { writeClassesOf } from '../ami/permissions.ts';
import type { PbxConfig } from '../config.ts';
import type { LinkProblem } from './types.ts';

/**
 * Words for a link problem: a short label anyone may see (`list`, status banners), and the fix an
 * admin needs, naming the config key or the manager.conf class.
 */

export function problemLabel(p: LinkProblem): string {
  switch (p.kind) {
    case 'unreachable':
      return 'unreachable';
    case 'login_refused':
      return 'login refused';
    case 'permission_denied':
      return `permission denied for ${p.action}`;
    case 'dialect_refused':
      return `${p.dialect} actions refused by the PBX`;
  }
}

/** The manager.conf class an action needs, for a permission-denied answer. */
export function writeClassFor(action: string): string {
  return writeClassesOf(action)[0] ?? 'all';
}

export function problemFix(p: LinkProblem, config: Pick<PbxConfig, 'id' | 'host' | 'port' | 'username'>): string {
  switch (p.kind) {
    case 'unreachable':
      return `Check pbxs[].host and pbxs[].port (${config.host}:${config.port}) for PBX ${config.id}, and that Asterisk's manager listens there and permits the bot's address.`;
    case 'login_refused':
      return `Asterisk refused the login of "${config.username}": check pbxs[].username and pbxs[].secret for PBX ${config.id} against manager.conf (and its permit/deny lines).`;
    case 'permission_denied':
      return `The AMI user "${config.username}" may not send ${p.action}: add ${p.writeClass} to its write classes in manager.conf (write = call,system,command,originate,reporting), then run "manager reload".`;
    case 'dialect_refused':
      return `pbxs[].dialect for PBX ${config.id} forces ${p.dialect}, but the PBX does not know its actions: load ${p.dialect === 'meetme' ? 'app_meetme' : 'app_confbridge'}, or set pbxs[].dialect to auto.`;
  }
}
