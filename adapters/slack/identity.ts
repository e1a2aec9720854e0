import type { Logger } from '../../src/log.ts';

/**
 * Slack user groups of a user, for Actor.groups. One `usergroups.list?include_users=true` call
 * answers for every user, so the whole map is cached and refreshed after `ttlMs`; concurrent lookups
 * share one request. When Slack cannot answer, the previous map (or none) is used and the call is
 * not retried before `failureBackoffMs`: fewer groups means fewer rights, never more.
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
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      this.options.logger.warn({ detail }, 'could not list Slack user groups; using the previous list');
      this.freshUntil = this.options.now() + this.options.failureBackoffMs;
    }
  }
}
