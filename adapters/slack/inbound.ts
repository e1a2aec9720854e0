import type { BlockAction, BlockElementAction } from '@slack/bolt';
import type { MessageRef } from '../../src/core/adapter.ts';

/** Pure translation of Bolt's interactive payloads into what the adapter needs. */

/** The core action id a pressed element carries: a button's value or the chosen overflow option. */
export function actionIdOf(action: BlockElementAction): string | undefined {
  if (action.type === 'button') return action.value;
  if (action.type === 'overflow') return action.selected_option.value;
  return undefined;
}

/** Whether the pressed element sat on an ephemeral message (seen only by the person who pressed). */
export function isOnEphemeral(body: BlockAction): boolean {
  const container: unknown = body.container;
  return typeof container === 'object' && container !== null && (container as { is_ephemeral?: unknown }).is_ephemeral === true;
}

/**
 * The message a button sat on, when it can be edited with chat.update (ephemeral messages cannot).
 */
export function messageRefOf(body: BlockAction): MessageRef | undefined {
  const channel = body.channel?.id;
  const ts = body.message?.ts;
  if (isOnEphemeral(body) || channel === undefined || ts === undefined) return undefined;
  return { platform: 'slack', conversation: channel, id: ts };
}

export function displayNameOf(body: BlockAction): string {
  return body.user.name ?? body.user.username;
}
