import type { ButtonView, ParticipantRowView, ReplyView, StatusView } from '../../src/core/views.ts';

/** View builders shared by adapter tests: plain data with readable defaults. */

export function replyView(text: string, overrides: Partial<ReplyView> = {}): ReplyView {
  return {
    kind: 'reply', tone: 'info', title: undefined, text, table: undefined, link: undefined, buttons: [], correlationId: undefined,
    ...overrides,
  };
}

export function buttonView(id: string, label: string, overrides: Partial<ButtonView> = {}): ButtonView {
  return { id, label, style: 'default', confirm: undefined, ...overrides };
}

export function rowView(i: number, overrides: Partial<ParticipantRowView> = {}): ParticipantRowView {
  return {
    key: `1700000000.${i}`,
    name: `Caller ${i}`,
    number: String(700 + i),
    usernum: i,
    tech: 'PJSIP',
    muted: false,
    mutedBy: undefined,
    talking: false,
    admin: false,
    marked: false,
    topic: undefined,
    inRoomSec: 60 * i,
    buttons: [
      buttonView(`v1:mute:${i}`, 'Mute'),
      buttonView(`v1:kick:${i}`, 'Kick', {
        style: 'danger',
        confirm: { title: 'Kick?', text: `Kick Caller ${i} out of the room?`, confirm: 'Kick', deny: 'Cancel' },
      }),
    ],
    ...overrides,
  };
}

export function statusView(room: string, rows: readonly ParticipantRowView[] = [rowView(1), rowView(2)], overrides: Partial<StatusView> = {}): StatusView {
  return {
    kind: 'status',
    pbx: 'pbx1',
    room,
    count: rows.length,
    flags: { locked: false, recording: false, muzak: false, stream: false },
    runningSec: 754,
    rows,
    buttons: [
      buttonView('v1:lock', 'Lock'),
      buttonView('v1:muteall', 'Mute all', {
        style: 'danger',
        confirm: { title: 'Mute everyone?', text: 'Mute every participant but admins?', confirm: 'Mute all', deny: 'Cancel' },
      }),
    ],
    banner: undefined,
    ended: undefined,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}
