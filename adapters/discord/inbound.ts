import {
  MessageFlags, type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction,
  type CommandInteractionOption, type Interaction as DiscordInteraction, type StringSelectMenuInteraction,
} from 'discord.js';
import type { InboundContext, InboundHandlers, MessageRef } from '../../src/core/adapter.ts';
import { decodeAction } from '../../src/core/actions.ts';
import { SLASH_COMMAND } from '../../src/core/commands.ts';
import type { ButtonView } from '../../src/core/views.ts';
import type { Logger } from '../../src/log.ts';
import type { Completer } from './choices.ts';
import { AUTOCOMPLETE_FIELDS, type CompletionField } from './command-json.ts';
import { buttonComponent } from './components.ts';
import { actorOf, conversationOf, PLATFORM, roleIdsOf } from './identity.ts';
import type { InteractionRegistry, MessageMemory } from './memory.ts';
import { commandText, type OptionValue } from './options.ts';
import { NO_MENTIONS } from './render.ts';
import { PANEL_FOOTER, participantPanel, PICK_PARTICIPANT_ID } from './render-status.ts';
import { deferEphemeral } from './visibility.ts';

/**
 * Inbound interactions: every one is acknowledged at once (deferReply with the command's
 * visibility, deferUpdate for presses), then handed to the core. Page turns, the participant menu
 * and "are you sure?" questions are answered here, without the core.
 */

const COMMAND_NAME = SLASH_COMMAND.slice(1);
const STALE_NOTICE = 'This message is out of date; it will refresh on the next change.';
/** Footer of a confirmation question: a press on a message carrying it is the confirmed press. */
export const CONFIRM_FOOTER = 'Press the button to go ahead, or dismiss this message.';

export interface InboundDeps {
  readonly log: Logger;
  readonly registry: InteractionRegistry;
  readonly memory: MessageMemory;
  readonly handlers: () => InboundHandlers | undefined;
  readonly complete: Completer | undefined;
  /** Redraws a remembered status message at `page`. */
  readonly turnPage: (ref: MessageRef, page: number) => Promise<void>;
  readonly decodePage: (customId: string) => number | undefined;
  /** Removes a deferred reply the core left unanswered (it posted a status message instead). */
  readonly removeDeferredReply: (token: string) => Promise<void>;
}

function optionValues(options: readonly CommandInteractionOption[]): OptionValue[] {
  return options.map((o) => ({ name: o.name, value: o.value }));
}

function subcommandOf(i: ChatInputCommandInteraction | AutocompleteInteraction): { name: string; options: readonly CommandInteractionOption[] } | undefined {
  const top = i.options.data[0];
  return top === undefined ? undefined : { name: top.name, options: top.options ?? [] };
}

/** Actions whose buttons carry a confirmation in the views: used when the drawn view is not remembered. */
function asksFirst(actionId: string): boolean {
  try {
    const action = decodeAction(actionId);
    return action.kind === 'kick' || action.kind === 'kick_all' || action.kind === 'transfer' || (action.kind === 'mute_all' && action.on);
  } catch {
    return false;
  }
}

export function createInbound(deps: InboundDeps): (i: DiscordInteraction) => Promise<void> {
  const { log } = deps;
  const warn = (what: string) => (err: unknown): void => log.warn({ detail: err instanceof Error ? err.message : String(err) }, what);

  function context(i: DiscordInteraction, interactionId: string, message: MessageRef | undefined, acked: Promise<void>): InboundContext {
    return {
      actor: actorOf({ userId: i.user.id, displayName: i.user.displayName, roleIds: roleIdsOf(i.member) }, i.guildId),
      conversation: conversationOf(i.channelId ?? '', i.guildId),
      interaction: { platform: PLATFORM, id: interactionId },
      message,
      ack: () => acked,
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
    const text = sub === undefined ? '' : commandText(sub.name, optionValues(sub.options));
    const ephemeral = deferEphemeral(text);
    const deferred = i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {}).then(() => undefined, warn('deferReply failed'));
    const id = deps.registry.add({ token: i.token, kind: 'command', deferred, ephemeral });
    await deliver('command', (h) => h.command(context(i, id, undefined, deferred), text));
    // `show` answers with a status message of its own: the "thinking…" placeholder must not linger.
    const pending = deps.registry.get(id);
    if (pending !== undefined && !pending.originalUsed) {
      pending.originalUsed = true;
      await deferred;
      await deps.removeDeferredReply(i.token).catch(warn('could not remove the unanswered deferred reply'));
    }
  }

  async function onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const field = AUTOCOMPLETE_FIELDS.find((f) => f === focused.name) as CompletionField | undefined;
    const sub = subcommandOf(i);
    const room = sub?.options.find((o) => o.name === 'room')?.value;
    const choices = field === undefined || deps.complete === undefined ? [] : deps.complete({
      actor: actorOf({ userId: i.user.id, displayName: i.user.displayName, roleIds: roleIdsOf(i.member) }, i.guildId),
      field,
      typed: String(focused.value),
      room: typeof room === 'string' ? room : undefined,
      subcommand: sub?.name ?? '',
    });
    await i.respond(choices).catch(warn('autocomplete answer failed'));
  }

  function confirmQuestion(button: ButtonView | undefined, customId: string): Parameters<ButtonInteraction['reply']>[0] {
    const confirm = button?.confirm;
    const shown: ButtonView = button ?? { id: customId, label: 'Go ahead', style: 'danger', confirm: undefined };
    return {
      embeds: [{ title: confirm?.title ?? 'Are you sure?', description: confirm?.text ?? 'This cannot be undone.', footer: { text: CONFIRM_FOOTER }, color: 0xe67e22 }],
      components: [{ type: 1, components: [buttonComponent({ ...shown, label: confirm?.confirm ?? shown.label })] }],
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    };
  }

  async function onButton(i: ButtonInteraction): Promise<void> {
    const ref: MessageRef = { platform: PLATFORM, conversation: i.channelId, id: i.message.id };
    const page = deps.decodePage(i.customId);
    if (page !== undefined) {
      await i.deferUpdate().catch(warn('deferUpdate failed'));
      if (deps.memory.drawn(ref) === undefined) {
        await i.followUp({ content: STALE_NOTICE, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }).catch(warn('page notice failed'));
        return;
      }
      await deps.turnPage(ref, page).catch(warn('page turn failed'));
      return;
    }
    // A private message is an answer to this person: a confirmation question (the adapter's or the
    // core's), so its press goes ahead; the participant panel is private too, yet still asks first.
    const footer = i.message.embeds[0]?.footer?.text;
    const confirmed = i.message.flags.has(MessageFlags.Ephemeral) ? footer !== PANEL_FOOTER : footer === CONFIRM_FOOTER;
    if (!confirmed) {
      const drawn = deps.memory.drawn(ref)?.view;
      const button = drawn === undefined ? undefined : [...drawn.buttons, ...drawn.rows.flatMap((r) => r.buttons)].find((b) => b.id === i.customId);
      if (button?.confirm !== undefined || (button === undefined && asksFirst(i.customId))) {
        await i.reply(confirmQuestion(button, i.customId)).catch(warn('confirmation question failed'));
        return;
      }
    }
    const deferred = i.deferUpdate().then(() => undefined, warn('deferUpdate failed'));
    const id = deps.registry.add({ token: i.token, kind: 'component', deferred, ephemeral: true });
    await deliver('action', (h) => h.action(context(i, id, ref, deferred), i.customId));
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
