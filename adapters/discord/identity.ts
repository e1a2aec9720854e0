import type { Actor, Conversation } from '../../src/core/adapter.ts';

/**
 * Who pressed or typed, from the interaction payload alone (no REST lookups inside the 3 s window):
 * the user id, and the member's guild role ids as groups. The policy prefixes the platform, so a
 * grant names a role as `discord:<roleId>`.
 */

export const PLATFORM = 'discord';

export interface MemberShape {
  readonly userId: string;
  readonly displayName: string;
  /** Role ids; the @everyone role (id = guild id) is not a grant anyone means, so it is dropped. */
  readonly roleIds: readonly string[];
}

export function actorOf(member: MemberShape, guildId: string | null): Actor {
  const roles = member.roleIds.filter((r) => r !== guildId);
  return { platform: PLATFORM, userId: member.userId, displayName: member.displayName, groups: roles };
}

export function conversationOf(channelId: string, guildId: string | null): Conversation {
  return guildId === null ? { platform: PLATFORM, id: channelId } : { platform: PLATFORM, id: channelId, workspace: guildId };
}

/** Role ids of an interaction's member, whether discord.js gave a cached GuildMember or the raw payload. */
export function roleIdsOf(member: unknown): string[] {
  if (typeof member !== 'object' || member === null || !('roles' in member)) return [];
  const roles = (member as { roles: unknown }).roles;
  if (Array.isArray(roles)) return roles.filter((r): r is string => typeof r === 'string');
  const cache = (roles as { cache?: { keys(): Iterable<string> } }).cache;
  return cache === undefined ? [] : [...cache.keys()];
}
