/**
 * Hangup cause classes. Asterisk reports a Q.850 cause number on every `Hangup` event but does not
 * say which ones are trouble, so the bot classifies them here, in one table that the docs quote.
 * @see https://docs.asterisk.org/Configuration/Miscellaneous/Hangup-Cause-Mappings/
 */

export const CAUSE_CLASSES = ['normal', 'busy', 'no_response', 'no_answer', 'rejected', 'abnormal'] as const;

export type CauseClass = (typeof CAUSE_CLASSES)[number];

/** Causes with a class of their own; every other cause (0, 27, 34, 38, 41, 42, 127, ...) is abnormal. */
export const CAUSE_CLASS_TABLE: readonly (readonly [cause: number, cls: CauseClass, meaning: string])[] = [
  [16, 'normal', 'Normal clearing'],
  [31, 'normal', 'Normal, unspecified'],
  [17, 'busy', 'User busy'],
  [18, 'no_response', 'No user responding'],
  [19, 'no_answer', 'User alerting, no answer'],
  [21, 'rejected', 'Call rejected'],
];

const BY_CAUSE: ReadonlyMap<number, CauseClass> = new Map(CAUSE_CLASS_TABLE.map(([cause, cls]) => [cause, cls]));

export function classifyCause(cause: number): CauseClass {
  return BY_CAUSE.get(cause) ?? 'abnormal';
}
