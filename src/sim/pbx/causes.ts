/**
 * Q.850 hangup causes as Asterisk names them in `Cause-txt` (main/channel.c, `causes[]`).
 * @see https://docs.asterisk.org/Configuration/Miscellaneous/Hangup-Cause-Mappings/
 */
const CAUSE_TEXT: ReadonlyMap<number, string> = new Map([
  [1, 'Unallocated (unassigned) number'],
  [2, 'No route to specified transmit network'],
  [3, 'No route to destination'],
  [16, 'Normal Clearing'],
  [17, 'User busy'],
  [18, 'No user responding'],
  [19, 'User alerting, no answer'],
  [20, 'Subscriber absent'],
  [21, 'Call Rejected'],
  [22, 'Number changed'],
  [27, 'Destination out of order'],
  [28, 'Invalid number format'],
  [31, 'Normal, unspecified'],
  [34, 'Circuit/channel congestion'],
  [38, 'Network out of order'],
  [41, 'Temporary failure'],
  [42, 'Switching equipment congestion'],
  [44, 'Requested channel not available'],
  [127, 'Interworking, unspecified'],
]);

export function causeText(cause: number): string {
  return CAUSE_TEXT.get(cause) ?? 'Unknown';
}

export const CAUSE_NORMAL_CLEARING = 16;
