import {
  MessageFlags, type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction,
  type CommandInteractionOption, type Interaction as DiscordInteraction, type StringSelectMenuInteraction,
} from 'discord.js';
import type { InboundContext, InboundHandlers, MessageRef, Visibility } from '../../src/core/adapter.ts';
import { commandTextFromOptions, SLASH_COMMAND } from '../../src/core/commands.ts';
import { specOf } from '../../src/core/commands/index.ts';
import type { Logger } from '../../src/log.ts';
import type { Completer } from './choices.ts';
import { AUTOCOMPLETE } from './limits.ts';
import { actorOf, conversationOf, PLATFORM, roleIdsOf } from './identity.ts';
import type { InteractionRegistry, MessageMemory } from './memory.ts';
import { NO_MENTIONS } from './render.ts';
import { participantPanel, PICK_PARTICIPANT_ID } from './render-status.ts';

/**
 * Inbound interactions, handed to the core, which acks each at once: deferReply with the visibility
 * its answer will have, deferUpdate for presses. Only the participant menu is answered here, without
 * the core; page turns and confirmations are the core's (its Prev/Next and Confirm/Cancel buttons).
 */

const COMMAND_NAME = SLASH_COMMAND.slice(1);
const STALE_NOTICE = 'This message is out of date; it will refresh on the next change.';

export interface InboundDeps {
  readonly log: Logger;
  readonly registry: InteractionRegistry;
  readonly memory: MessageMemory;
  readonly handlers: () => InboundHandlers | undefined;
  readonly complete: Completer | undefined;
  /** Removes a deferred reply the core left unanswered (it posted a status message instead). */
  readonly removeDeferredReply: (token: string) => Promise<void>;
}

/** Option values by name; values of a type the specs do not declare are left out (the grammar then answers). */
function optionValues(options: readonly CommandInteractionOption[]): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const o of options) {
    if (typeof o.value === 'string' || typeof o.value === 'number' || typeof o.value === 'boolean') values[o.name] = o.value;
  }
  return values;
}

function subcommandOf(i: ChatInputCommandInteraction | AutocompleteInteraction): { name: string; options: readonly CommandInteractionOption[] } | undefined {
  const top = i.options.data[0];
  return top === undefined ? undefined : { name: top.name, options: top.options ?? [] };
}

export function createInbound(deps: InboundDeps): (i: DiscordInteraction) => Promise<void> {
  const { log } = deps;
  const warn = (what: string) => (err: unknown): void => log.warn({ detail: err instanceof Error ? err.message : String(err) }, what);

  function context(i: DiscordInteraction, interactionId: string, message: MessageRef | undefined, ack: (visibility: Visibility) => Promise<void>): InboundContext {
    return {
      actor: actorOf({ userId: i.user.id, displayName: i.user.displayName, roleIds: roleIdsOf(i.member) }, i.guildId),
      conversation: conversationOf(i.channelId ?? '', i.guildId),
      interaction: { platform: PLATFORM, id: interactionId },
      message,
      ack,
    };
  }

  async function deliver(kind: 'command' | 'action', run: (h: InboundHandlers) => Promise<void>): Promise<void> {
    const handlers = deps.handlers();
    if (handlers === undefined) return;
    try {
      await run(handlers);
    } catch (err) {
      log.error({ kind, detail: err instanceof Error ? err.message : String(err) }, 'inbound handler failed');
    }
  }

  async function onCommand(i: ChatInputCommandInteraction): Promise<void> {
    if (i.commandName !== COMMAND_NAME) return;
    const sub = subcommandOf(i);
    const text = sub === undefined ? '' : commandTextFromOptions(sub.name, optionValues(sub.options));
    // The core acks with the visibility of its answer; Discord fixes the deferred reply's then.
    const pending = deps.registry.add(i.token, 'command', (ephemeral) => i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {}).then(() => undefined, warn('deferReply failed')));
    await deliver('command', (h) => h.command(context(i, pending.id, undefined, (v) => pending.defer(v === 'private')), text));
    // `show` answers with a status message of its own, and a failed handler may not have acked at
    // all: Discord still gets its answer, and no "thinking…" placeholder lingers.
    if (!pending.originalUsed) {
      pending.originalUsed = true;
      await pending.defer(true);
      await deps.removeDeferredReply(i.token).catch(warn('could not remove the unanswered deferred reply'));
    }
  }

  async function onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const sub = subcommandOf(i);
    const field = sub === undefined ? undefined : specOf(sub.name)?.options.find((o) => o.name === focused.name)?.autocomplete;
    const room = sub?.options.find((o) => o.name === 'room')?.value;
    const choices = field === undefined || deps.complete === undefined ? [] : deps.complete({
      actor: actorOf({ userId: i.user.id, displayName: i.user.displayName, roleIds: roleIdsOf(i.member) }, i.guildId),
      field,
      typed: String(focused.value),
      room: typeof room === 'string' ? room : undefined,
      subcommand: sub?.name ?? '',
    });
    // The completer answers at most 25; cut here too, so no completer can make Discord refuse the answer.
    await i.respond(choices.slice(0, AUTOCOMPLETE.choices)).catch(warn('autocomplete answer failed'));
  }

  async function onButton(i: ButtonInteraction): Promise<void> {
    const ref: MessageRef = { platform: PLATFORM, conversation: i.channelId, id: i.message.id };
    // Page turns and presses that need a confirmation go to the core too: it answers with the page,
    // or asks with Confirm/Cancel buttons.
    const pending = deps.registry.add(i.token, 'component', () => i.deferUpdate().then(() => undefined, warn('deferUpdate failed')));
    await deliver('action', (h) => h.action(context(i, pending.id, ref, () => pending.defer(true)), i.customId));
    await pending.defer(true);
  }

  async function onSelect(i: StringSelectMenuInteraction): Promise<void> {
    if (i.customId !== PICK_PARTICIPANT_ID) return;
    const drawn = deps.memory.drawn({ platform: PLATFORM, conversation: i.channelId, id: i.message.id });
    const row = drawn?.view.rows.find((r) => r.key === i.values[0]);
    const answer = row === undefined ? { content: STALE_NOTICE } : participantPanel(row);
    await i.reply({ ...answer, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }).catch(warn('participant panel failed'));
  }

  return async (i) => {
    if (i.isAutocomplete()) return onAutocomplete(i);
    if (i.isChatInputCommand()) return onCommand(i);
    if (i.isButton()) return onButton(i);
    if (i.isStringSelectMenu()) return onSelect(i);
    return undefined;
  };
}
