import type { ConferenceBackend, Who } from '../conference/backend.ts';
import type { Participant, Room } from '../conference/types.ts';
import type { Actor } from '../kernel/chat.ts';
import type { ConfirmableAction } from './actions.ts';
import { confirmationButtons, type Question } from './confirmation.ts';
import { CONFIRMATION_ASKED, NO_CHANGE, type DispatcherDeps, type Outcome, type RoomTarget } from './dispatch-types.ts';
import { quoteIfSpaced } from './commands/grammar.ts';
import { buildStatusView, participantLabel, replyView, type StatusView } from './views.ts';

/** How a typed `mute|kick <room> all [confirm]` named its room, and whether it ended with `confirm`. */
export interface TypedAll {
  readonly typedRoom: string;
  readonly confirmed: boolean;
}

export function labels(participants: readonly Participant[]): string {
  if (participants.length === 0) return 'nobody';
  if (participants.length > 5) return `${participants.length} participants`;
  return participants.map(participantLabel).join(', ');
}

/**
 * The room operations typed commands and button presses share: each calls the backend, notes the
 * change for the room's thread and summary, and words the answer.
 */
export class RoomOps {
  readonly #deps: DispatcherDeps;
  /** Whether the adapter asking draws ButtonView.confirm as its own dialog (shell, Slack). */
  readonly #nativeDialogs: boolean;

  constructor(deps: DispatcherDeps, nativeDialogs: boolean) {
    this.#deps = deps;
    this.#nativeDialogs = nativeDialogs;
  }

  backend(pbx: string): ConferenceBackend {
    return this.#deps.directory.backend(pbx);
  }

  note(target: RoomTarget, actor: Actor, text: string): void {
    this.#deps.watch?.noteAction(target.pbx, target.room, `${actor.displayName} ${text}`, { actor, action: text });
  }

  statusView(target: RoomTarget): StatusView {
    const state = this.backend(target.pbx).state();
    return buildStatusView({
      pbx: target.pbx, roomName: target.room, room: state.rooms.get(target.room), available: state.available, since: state.since, now: this.#deps.now(),
    });
  }

  /**
   * The room as held from events, for answering "already so" without a PBX call; undefined while
   * the PBX is unreachable, when the held state may be stale and the PBX's own answer is wanted.
   */
  held(target: RoomTarget): Room | undefined {
    const state = this.backend(target.pbx).state();
    return state.available ? state.rooms.get(target.room) : undefined;
  }

  /** A request for the state the room is already in: said plainly, no PBX call, audited as no change. */
  unchanged(text: string, what: string): Outcome {
    return { view: replyView(text), target: what, detail: NO_CHANGE };
  }

  /**
   * A question answered by Confirm/Cancel buttons bound to `action`, or, when the names do not fit
   * in a button id, by the command to type again ending in `confirm`.
   */
  ask(action: ConfirmableAction, question: Question, text: string, typed: readonly string[], target: string, typedText = text): Outcome {
    const asked = { target, detail: CONFIRMATION_ASKED } as const;
    const buttons = confirmationButtons(action, question, this.#deps.now(), this.#nativeDialogs);
    if (buttons === undefined) {
      const command = [...typed, 'confirm'].map(quoteIfSpaced).join(' ');
      return { ...asked, view: replyView(`${typedText} These names are too long for a confirm button: to go ahead, type \`${command}\`.`) };
    }
    return { ...asked, view: replyView(`${text} Press the button to confirm.`, { buttons }) };
  }

  /**
   * Everyone-at-once changes hurt on a slip of the keyboard: typed, they ask first. The head count
   * is in the reply (true when it is sent) but not in the dialog, which is shown when pressed, maybe
   * long after: a stale count there would understate who is about to be muted or kicked.
   */
  confirmAll(target: RoomTarget, action: ConfirmableAction, title: string, label: string, typed: readonly [verb: string, room: string]): Outcome {
    const count = this.backend(target.pbx).state().rooms.get(target.room)?.participants.size ?? 0;
    const dialog = { title: `${title}?`, text: `${title} in room ${target.room}? Whoever is in it when you confirm is included.`, confirm: label, deny: 'Cancel' };
    return this.ask(action, { label, dialog }, `${title} in room ${target.room} (${count} now)?`, [...typed, 'all'], 'everyone');
  }

  async mute(target: RoomTarget, who: Who, on: boolean, actor: Actor, typed?: TypedAll): Promise<Outcome> {
    if (who.kind === 'all' && on && typed?.confirmed !== true) {
      return this.confirmAll(target, { kind: 'mute_all', pbx: target.pbx, room: target.room, on: true }, 'Mute everyone', 'Mute all', ['mute', typed?.typedRoom ?? target.room]);
    }
    const backend = this.backend(target.pbx);
    if (who.kind === 'one' && this.held(target) !== undefined) {
      // Asking the PBX again would succeed silently and read as if something changed.
      const participant = await backend.resolve(target.room, who.text);
      if (participant.muted === on) return this.unchanged(`${participantLabel(participant)} is already ${on ? 'muted' : 'unmuted'}.`, participantLabel(participant));
    }
    const changed = await backend.mute(target.room, who, on);
    const verb = on ? 'muted' : 'unmuted';
    this.note(target, actor, who.kind === 'all' ? `${verb} everyone` : `${verb} ${labels(changed)}`);
    return {
      view: replyView(`${on ? 'Muted' : 'Unmuted'} ${labels(changed)} in ${target.room}.`, { tone: 'success' }),
      target: who.kind === 'all' ? 'everyone' : labels(changed),
    };
  }

  async kick(target: RoomTarget, who: Who, actor: Actor, typed?: TypedAll): Promise<Outcome> {
    if (who.kind === 'all' && typed?.confirmed !== true) {
      return this.confirmAll(target, { kind: 'kick_all', pbx: target.pbx, room: target.room }, 'Kick everyone', 'Kick all', ['kick', typed?.typedRoom ?? target.room]);
    }
    const removed = await this.backend(target.pbx).kick(target.room, who);
    this.note(target, actor, who.kind === 'all' ? 'kicked everyone' : `kicked ${labels(removed)}`);
    return { view: replyView(`Kicked ${labels(removed)} from ${target.room}.`, { tone: 'success' }), target: who.kind === 'all' ? 'everyone' : labels(removed) };
  }

  async lock(target: RoomTarget, on: boolean, actor: Actor): Promise<Outcome> {
    const state = on ? 'locked' : 'unlocked';
    // Nothing announces a lock made at the PBX: only a state just read back may answer "already".
    const fresh = await this.backend(target.pbx).refreshLock(target.room).then(() => true, () => false);
    if (fresh && this.held(target)?.locked === on) return this.unchanged(`Room ${target.room} is already ${state}.`, target.room);
    await this.backend(target.pbx).lock(target.room, on);
    this.note(target, actor, `${on ? 'locked' : 'unlocked'} the room`);
    return { view: replyView(`Room ${target.room} is ${state}.`, { tone: 'success' }), target: target.room };
  }

  async transfer(target: RoomTarget, participant: Participant, exten: string, context: string | undefined, actor: Actor): Promise<Outcome> {
    const where = context === undefined ? exten : `${exten}@${context}`;
    await this.backend(target.pbx).transfer(target.room, participant.channel, { exten, context });
    const who = participantLabel(participant);
    this.note(target, actor, `transferred ${who} to ${where}`);
    return { view: replyView(`Transferred ${who} to ${where}.`, { tone: 'success' }), target: who };
  }
}
