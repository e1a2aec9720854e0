import type { Action, ConfirmableAction, ConfirmationAction } from './actions.ts';
import { tryEncodeAction } from './actions.ts';
import { ConfirmationExpiredError } from './errors.ts';
import type { ButtonView, ConfirmView } from './views.ts';

/**
 * Confirmation as a core action: a question answers with a Confirm button whose id carries the
 * exact action and when the question lapses, and a Cancel button. A press is checked against the
 * injected clock; a late one is answered plainly and does nothing. The ids carry no authority: the
 * confirmed action is authorized and checked against the room again like any press.
 */

/** How long a question may wait for its answer. */
export const CONFIRMATION_TTL_MS = 10 * 60_000;

export const CANCELLED_TEXT = 'Cancelled.';

export interface Question {
  /** The confirm button's label ("Kick all"). */
  readonly label: string;
  /** The dialog a platform with native confirm dialogs shows on top ("Kick everyone?"). */
  readonly dialog: ConfirmView;
}

/**
 * Confirm (and, where the platform draws no dialog of its own, Cancel) buttons for `action`, or
 * undefined when the names do not fit a button id (callers then offer a typed `confirm`).
 */
export function confirmationButtons(action: ConfirmableAction, question: Question, now: number, nativeDialogs: boolean): ButtonView[] | undefined {
  const confirm: ConfirmationAction = { kind: 'confirm', pbx: action.pbx, room: action.room, action, expiresAt: now + CONFIRMATION_TTL_MS };
  const id = tryEncodeAction(confirm);
  if (id === undefined) return undefined;
  const confirmButton: ButtonView = { id, label: question.label, style: 'danger', confirm: nativeDialogs ? question.dialog : undefined };
  if (nativeDialogs) return [confirmButton];
  const cancelId = tryEncodeAction({ kind: 'cancel', pbx: action.pbx, room: action.room });
  if (cancelId === undefined) return [confirmButton];
  return [confirmButton, { id: cancelId, label: question.dialog.deny, style: 'default', confirm: undefined }];
}

/** The action a Confirm press stands for; throws ConfirmationExpiredError once the question lapsed. */
export function confirmedAction(press: Extract<Action, { kind: 'confirm' }>, now: number): ConfirmableAction {
  if (now > press.expiresAt) throw new ConfirmationExpiredError();
  return press.action;
}

/** Presses that change a room in a way a misclick hurts: asked first on platforms without native dialogs. */
export function needsConfirmation(action: Action): action is ConfirmableAction {
  return action.kind === 'kick' || action.kind === 'kick_all' || action.kind === 'mute_all' || action.kind === 'transfer';
}
