import type { Logger } from '../../src/log.ts';

/**
 * Slack user groups of a user, for Actor.groups. One `usergroups.list?include_users=true` call
 * answers for every user, so the whole map is cached and refreshed after `ttlMs`; concurrent lookups
 * share one request. When Slack cannot answer, nobody has any group until a list arrives again
 * (someone just removed from a group must not keep its rights on a stale list), commands are still
 * served, and the call is not retried before `failureBackoffMs`. Free-plan workspaces fail every
 * time, so only the first failure of a streak is a warning; the rest are debug lines.
 * @see https://docs.slack.dev/reference/methods/usergroups.list
 */

export interface UserGroup {
  readonly id: string;
  readonly users: readonly string[];
}

export interface UserGroupCacheOptions {
  readonly fetchGroups: () => Promise<readonly UserGroup[]>;
  readonly now: () => number;
  readonly ttlMs: number;
  readonly failureBackoffMs: number;
  readonly logger: Logger;
}

export class UserGroupCache {
  private byUser = new Map<string, string[]>();
  private freshUntil = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly options: UserGroupCacheOptions) {}

  async groupsOf(userId: string): Promise<readonly string[]> {
    if (this.options.now() >= this.freshUntil) await this.refresh();
    return this.byUser.get(userId) ?? [];
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    try {
      const groups = await this.options.fetchGroups();
      const byUser = new Map<string, string[]>();
      for (const group of groups) {
        for (const user of group.users) {
          const list = byUser.get(user) ?? [];
          list.push(group.id);
          byUser.set(user, list);
        }
      }
      this.byUser = byUser;
      this.freshUntil = this.options.now() + this.options.ttlMs;
      if (this.failing) this.options.logger.info('Slack user groups are listed again');
      this.failing = false;
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const message = 'could not list Slack user groups; nobody gains rights from a group until they can be listed';
      if (this.failing) this.options.logger.debug({ detail }, message);
      else this.options.logger.warn({ detail }, message);
      this.failing = true;
      this.byUser = new Map();
      this.freshUntil = this.options.now() + this.options.failureBackoffMs;
    }
  }
}
