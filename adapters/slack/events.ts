import type { App } from '@slack/bolt';
import type { Actor } from '../../src/core/adapter.ts';
import type { HomeView } from '../../src/core/home.ts';
import type { Logger } from '../../src/log.ts';
import { renderHome } from './render-home.ts';
import type { SlackWebApi } from './web-api.ts';

/**
 * Events API subscriptions (manifest.yml `bot_events`): the Home tab, and Slack's word that the bot
 * token is gone (`app_uninstalled`, `tokens_revoked`), which marks the adapter down before any call
 * fails on it.
 * @see https://docs.slack.dev/reference/events/app_home_opened
 * @see https://docs.slack.dev/reference/events/tokens_revoked
 */

export interface AppEventDeps {
  readonly api: SlackWebApi;
  /** What a person's Home tab shows; without it the Home tab is not published. */
  readonly home: ((actor: Actor) => HomeView) | undefined;
  readonly actorFor: (userId: string, displayName: string) => Promise<Actor>;
  readonly log: Logger;
}

export function subscribeAppEvents(app: App, deps: AppEventDeps): void {
  const { api, home, log } = deps;
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home' || home === undefined) return;
    try {
      // The event carries no name; the Home tab needs only the id and groups.
      const view = home(await deps.actorFor(event.user, event.user));
      await api.publishHome(event.user, renderHome(view));
    } catch (err) {
      log.warn({ detail: err instanceof Error ? err.message : String(err) }, 'could not publish the Home tab');
    }
  });
  app.event('app_uninstalled', async () => {
    api.markDead('app_uninstalled');
  });
  app.event('tokens_revoked', async ({ event }) => {
    if (event.tokens.bot !== undefined && event.tokens.bot.length > 0) api.markDead('tokens_revoked');
  });
}
