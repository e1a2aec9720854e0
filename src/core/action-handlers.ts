import type { Participant } from '../conference/types.ts';
import type { Action, ConfirmableAction } from './actions.ts';
import { CANCELLED_TEXT, confirmedAction, needsConfirmation } from './confirmation.ts';
import type { DispatchEnv, Outcome, RoomTarget } from './dispatch-types.ts';
import { AlreadyLeftError, BadActionError } from './errors.ts';
import { labels, type RoomOps } from './room-ops.ts';
import { participantLabel, replyView } from './views.ts';

/**
 * Button presses → backend calls → private answers. Every press is checked against the room as it
 * is now; a press that needs confirming, on a platform that drew no dialog of its own, is answered
 * with the core's question instead.
 */

export interface PressEnv extends DispatchEnv {
  readonly now: number;
  /** The adapter drew ButtonView.confirm as its own dialog before delivering the press. */
  readonly nativeDialogs: boolean;
}

function question(ops: RoomOps, action: ConfirmableAction, current: { readonly participants: ReadonlyMap<string, Participant> }): Outcome {
  const { room } = action;
  const person = (uniqueid: string): string => {
    const p = current.participants.get(uniqueid);
    if (p === undefined) throw new AlreadyLeftError('That participant already left the room.');
    return participantLabel(p);
  };
  switch (action.kind) {
    case 'kick': {
      const who = person(action.uniqueid);
      const dialog = { title: 'Kick participant?', text: `Remove ${who} from room ${room}?`, confirm: 'Kick', deny: 'Cancel' };
      return ops.ask(action, { label: 'Kick', dialog }, `Kick ${who} from room ${room}?`, ['kick', room, who], who);
    }
    case 'transfer': {
      const who = person(action.uniqueid);
      const where = action.context === undefined ? action.exten : `${action.exten}@${action.context}`;
      const dialog = { title: 'Transfer participant?', text: `Send ${who} out of room ${room} to ${where}?`, confirm: 'Transfer', deny: 'Cancel' };
      return ops.ask(action, { label: `Transfer to ${where}`, dialog }, `Transfer ${who} to ${where}?`, ['transfer', room, who, where], who);
    }
    case 'mute_all':
      return ops.confirmAll(action, action, 'Mute everyone', 'Mute all', ['mute', room]);
    case 'kick_all':
      return ops.confirmAll(action, action, 'Kick everyone', 'Kick all', ['kick', room]);
  }
}

export async function runAction(pressed: Action, ops: RoomOps, env: PressEnv): Promise<Outcome> {
  // Turning a page changes no room: the bot redraws the message the button sat on.
  if (pressed.kind === 'page') return { view: undefined, target: undefined, page: { pbx: pressed.pbx, room: pressed.room, page: pressed.page } };
  if (pressed.kind === 'cancel') return { view: replyView(CANCELLED_TEXT), target: undefined };
  if (pressed.kind === 'alert') throw new BadActionError('alert action delivered to the room handlers');
  const action = pressed.kind === 'confirm' ? confirmedAction(pressed, env.now) : pressed;
  const target: RoomTarget = { pbx: action.pbx, room: action.room };
  const backend = ops.backend(action.pbx);
  const current = backend.state().rooms.get(action.room);
  if (current === undefined || current.endedAt !== undefined) throw new AlreadyLeftError(`Room ${action.room} has already ended.`);
  if (pressed.kind !== 'confirm' && !env.nativeDialogs && needsConfirmation(action)) return question(ops, action, current);
  const present = (uniqueid: string): Participant => {
    const p = current.participants.get(uniqueid);
    if (p === undefined) throw new AlreadyLeftError('That participant already left the room.');
    return p;
  };
  const ok = (text: string, what: string): Outcome => ({ view: replyView(text, { tone: 'success' }), target: what, refresh: target });
  switch (action.kind) {
    case 'mute': {
      const p = present(action.uniqueid);
      return { ...(await ops.mute(target, { kind: 'one', text: p.channel }, action.on, env.actor)), refresh: target };
    }
    case 'kick': {
      const p = present(action.uniqueid);
      return { ...(await ops.kick(target, { kind: 'one', text: p.channel }, env.actor)), refresh: target };
    }
    case 'mute_all': {
      const changed = await backend.mute(action.room, { kind: 'all' }, action.on);
      ops.note(target, env.actor, `${action.on ? 'muted' : 'unmuted'} everyone`);
      return ok(`${action.on ? 'Muted' : 'Unmuted'} ${labels(changed)} in ${action.room}.`, 'everyone');
    }
    case 'kick_all': {
      const removed = await backend.kick(action.room, { kind: 'all' });
      ops.note(target, env.actor, 'kicked everyone');
      return ok(`Kicked ${labels(removed)} from ${action.room}.`, 'everyone');
    }
    case 'lock':
      return { ...(await ops.lock(target, action.on, env.actor)), refresh: target };
    case 'transfer': {
      const p = present(action.uniqueid);
      return { ...(await ops.transfer(target, p, action.exten, action.context, env.actor)), refresh: target };
    }
  }
}
