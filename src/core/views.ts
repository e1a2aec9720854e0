import type { Participant, Room } from '../conference/types.ts';
import { EXPECTED_CODES, isExpectedCode, type BotError } from '../errors.ts';
import { tryEncodeAction, type Action } from './actions.ts';
import type { ConfigSummary, GrantSummary, PbxSummary, SensorSummary } from './services.ts';

/**
 * Platform-neutral view model. Views are plain data built by pure functions from room state; each
 * adapter's renderer turns them into Block Kit, a Discord embed, or terminal text, and enforces its
 * own platform's hard limits (truncation); paging is the core's (core/paging.ts).
 */

export type Tone = 'info' | 'success' | 'warning' | 'error';

export interface ConfirmView {
  readonly title: string;
  readonly text: string;
  readonly confirm: string;
  readonly deny: string;
}

export interface ButtonView {
  /** Compact, versioned action id from core/actions.ts (fits Slack's 255 and Discord's 100 chars). */
  readonly id: string;
  readonly label: string;
  readonly style: 'primary' | 'danger' | 'default';
  /** Ask before acting (kick, mute all, transfer). */
  readonly confirm: ConfirmView | undefined;
}

/** A participant's line-quality mark (src/quality/): only for calls a sensor sees. */
export interface LineMarkView {
  readonly mark: 'good' | 'fair' | 'poor';
  /** The worse direction's MOS, shown for fair and poor lines (undefined for good ones). */
  readonly mos?: number | undefined;
  /** Packet loss in the last 10 s, percent, shown only when it matters (it makes the line fair or poor). */
  readonly lossPct: number | undefined;
}

export interface ParticipantRowView {
  /** Stable key (the Uniqueid). */
  readonly key: string;
  /** Display name, or the number when no name is known. */
  readonly name: string;
  readonly number: string | undefined;
  readonly usernum: number | undefined;
  readonly tech: string;
  readonly muted: boolean;
  readonly mutedBy: 'self' | 'admin' | undefined;
  readonly talking: boolean;
  readonly admin: boolean;
  readonly marked: boolean;
  readonly topic: string | undefined;
  readonly inRoomSec: number;
  readonly buttons: readonly ButtonView[];
  /** Absent when no sensor sees the participant's call. */
  readonly line?: LineMarkView;
}

export interface RoomFlagsView {
  readonly locked: boolean;
  readonly recording: boolean;
  readonly muzak: boolean;
  readonly stream: boolean;
}

export interface RoomSummaryView {
  readonly durationSec: number;
  readonly peakSize: number;
  /** Everyone who was there, in join order. */
  readonly attendees: readonly string[];
  /** Who did what ("alice muted Tim (701)"), oldest first. */
  readonly actions: readonly string[];
  /** The worst line and how long it was poor; absent when the sensor measured no line. */
  readonly quality?: string;
}

/** Which page of a paged status view is shown (core/paging.ts); page numbers are zero-based. */
export interface StatusPageView {
  readonly page: number;
  readonly pageCount: number;
  /** One-based number of the first row shown, and how many rows the page shows of `total`. */
  readonly first: number;
  readonly shown: number;
  readonly total: number;
  /** Prev / Next: core page actions, authorized as viewer. */
  readonly buttons: readonly ButtonView[];
}

export interface StatusView {
  readonly kind: 'status';
  readonly pbx: string;
  readonly room: string;
  readonly count: number;
  readonly flags: RoomFlagsView;
  readonly runningSec: number;
  readonly rows: readonly ParticipantRowView[];
  /** Room-level buttons (lock/unlock, mute all...). Empty once the room has ended. */
  readonly buttons: readonly ButtonView[];
  /** A warning banner, e.g. "PBX unreachable since 12:03, reconnecting". */
  readonly banner: string | undefined;
  /** Set when the room has ended: the final summary; rows and buttons are then empty. */
  readonly ended: RoomSummaryView | undefined;
  /**
   * Nobody to count: the PBX does not hold the room (yet), or holds it empty, between its start and
   * first join or its last leave and its end. `count` and `runningSec` are then zero, so renderers
   * leave them out rather than show "0 people, running 0s"; the banner says which. Absent means false.
   */
  readonly notStarted?: boolean;
  /** Epoch ms of the state this view shows. */
  readonly updatedAt: number;
  /** Set when the rows are one page of more (`count` still counts everyone); absent means all rows are shown. */
  readonly paging?: StatusPageView;
}

export interface TableView {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface LinkView {
  readonly url: string;
  readonly label: string;
}

export interface ReplyView {
  readonly kind: 'reply';
  readonly tone: Tone;
  readonly title: string | undefined;
  readonly text: string;
  readonly table: TableView | undefined;
  readonly link: LinkView | undefined;
  readonly buttons: readonly ButtonView[];
  /** Shown with errors so an admin can find the log lines. */
  readonly correlationId: string | undefined;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertView {
  readonly kind: 'alert';
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly text: string;
  readonly fields: readonly (readonly [label: string, value: string])[];
  readonly buttons: readonly ButtonView[];
  /** Set once someone acknowledged it. */
  readonly ackedBy: string | undefined;
  readonly at: number;
  /**
   * A group to ping with the alert, in the platform's own terms (a Slack user group id, a Discord
   * role id); the only mention the bot ever makes, and only on alerts.
   */
  readonly mention?: string;
}

export type View = StatusView | ReplyView | AlertView;

// ---- Builders: pure functions from domain state to views. ----

/** `45s`, `3m 05s`, `1h 02m`: compact, for time in room and room running time. */
export function formatDuration(sec: number): string {
  const total = Number.isFinite(sec) && sec > 0 ? Math.floor(sec) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** `HH:MM` in UTC: the bot serves people in many time zones, so one fixed zone everywhere. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** How a participant is named to people: `Tim (701)`, `701`, or the channel when nothing else is known. */
export function participantLabel(p: Pick<Participant, 'callerName' | 'callerNum' | 'channel'>): string {
  if (p.callerName !== undefined && p.callerNum !== undefined) return `${p.callerName} (${p.callerNum})`;
  return p.callerName ?? p.callerNum ?? p.channel;
}

/** `poor line, MOS 2.7, 12% loss`: a status row's line mark in words (each renderer adds its own icon). */
export function lineMarkText(line: LineMarkView): string {
  const mos = line.mos === undefined ? '' : `, MOS ${line.mos.toFixed(1)}`;
  return `${line.mark} line${mos}${line.lossPct === undefined ? '' : `, ${line.lossPct}% loss`}`;
}

export function replyView(text: string, opts: Partial<Omit<ReplyView, 'kind' | 'text'>> = {}): ReplyView {
  return {
    kind: 'reply',
    tone: opts.tone ?? 'info',
    title: opts.title,
    text,
    table: opts.table,
    link: opts.link,
    buttons: opts.buttons ?? [],
    correlationId: opts.correlationId,
  };
}

/**
 * The user-safe face of a failure: its userMessage and the correlation id that finds the log lines.
 * `forAdmin` adds the error's admin hint (config keys to set); the caller decides, as only it knows
 * the actor's role.
 */
export function errorView(err: BotError, correlationId: string, options: { readonly forAdmin?: boolean } = {}): ReplyView {
  const shown = isExpectedCode(err.code) ? EXPECTED_CODES[err.code] : 'error';
  const tone: Tone = shown === 'notice' ? 'info' : shown;
  const hint = options.forAdmin === true && err.adminHint !== undefined ? `\nFor admins: ${err.adminHint}` : '';
  return replyView(`${err.userMessage}${hint}`, { tone, correlationId });
}

export interface StatusViewInput {
  pbx: string;
  roomName: string;
  room: Room | undefined;
  available: boolean;
  /** epoch ms the PBX went down/up */
  since: number;
  now: number;
  history?: { attendees: readonly string[]; actions: readonly string[]; quality?: string };
  /** Line-quality marks by Uniqueid, for participants whose call a sensor sees. */
  lines?: ReadonlyMap<string, LineMarkView>;
}

function button(action: Action, label: string, style: ButtonView['style'], confirm?: ConfirmView): ButtonView | undefined {
  const id = tryEncodeAction(action);
  return id === undefined ? undefined : { id, label, style, confirm };
}

function participantButtons(pbx: string, room: string, p: Participant): (ButtonView | undefined)[] {
  const who = participantLabel(p);
  return [
    p.muted
      ? button({ kind: 'mute', pbx, room, uniqueid: p.uniqueid, on: false }, 'Unmute', 'default')
      : button({ kind: 'mute', pbx, room, uniqueid: p.uniqueid, on: true }, 'Mute', 'default'),
    button({ kind: 'kick', pbx, room, uniqueid: p.uniqueid }, 'Kick', 'danger', {
      title: 'Kick participant?', text: `Remove ${who} from room ${room}?`, confirm: 'Kick', deny: 'Cancel',
    }),
  ];
}

function present(buttons: readonly (ButtonView | undefined)[]): ButtonView[] {
  return buttons.filter((b): b is ButtonView => b !== undefined);
}

/** The banner of a room watched before it started; the view turns live when the room starts. */
export function notStartedBanner(room: string): string {
  return `Room ${room} has not started yet`;
}

/** The banners of a room the PBX holds with nobody in it, before its first join and after its last leave. */
export function startingBanner(room: string): string {
  return `Room ${room} is starting`;
}

export function endingBanner(room: string): string {
  return `Room ${room} is ending`;
}

/**
 * The status message of one room. An ended room gives the final summary (no rows, no buttons); a
 * room the PBX does not hold has not started yet (a message posted ahead of it, which the status
 * service edits once it starts); a room held empty is starting or ending, and shows no room buttons
 * (a lock or "mute all" of nobody is a misclick waiting to happen); an unreachable PBX gives a
 * banner and no buttons, since no press could succeed.
 */
export function buildStatusView(input: StatusViewInput): StatusView {
  const { pbx, roomName, room, available, since, now } = input;
  const unreachable = available ? undefined : `PBX unreachable since ${formatClock(since)}, reconnecting`;
  const flags: RoomFlagsView = {
    locked: room?.locked ?? false,
    recording: room?.recording ?? false,
    muzak: room?.muzak !== undefined,
    stream: room?.stream !== undefined,
  };
  if (room === undefined) {
    return {
      kind: 'status', pbx, room: roomName, count: 0, flags, runningSec: 0, rows: [], buttons: [],
      banner: unreachable ?? notStartedBanner(roomName), ended: undefined, notStarted: true, updatedAt: now,
    };
  }
  const participants = [...room.participants.values()];
  if (room.endedAt !== undefined) {
    const durationSec = Math.max(0, Math.floor((room.endedAt - room.startedAt) / 1000));
    return {
      kind: 'status', pbx, room: roomName, count: 0, flags, runningSec: durationSec,
      rows: [], buttons: [], banner: unreachable,
      ended: {
        durationSec,
        peakSize: room.peakSize,
        attendees: input.history?.attendees ?? participants.map(participantLabel),
        actions: input.history?.actions ?? [],
        ...(input.history?.quality === undefined ? {} : { quality: input.history.quality }),
      },
      updatedAt: now,
    };
  }
  if (participants.length === 0) {
    // Nobody has joined yet, or everyone has left: the PBX ends an empty room moments later.
    const phase = room.peakSize === 0 ? startingBanner(roomName) : endingBanner(roomName);
    return {
      kind: 'status', pbx, room: roomName, count: 0, flags, runningSec: 0, rows: [], buttons: [],
      banner: unreachable ?? phase, ended: undefined, notStarted: true, updatedAt: now,
    };
  }
  let unencodable = false;
  const rows: ParticipantRowView[] = participants.map((p) => {
    const wanted = available ? participantButtons(pbx, roomName, p) : [];
    const buttons = present(wanted);
    if (buttons.length < wanted.length) unencodable = true;
    const line = input.lines?.get(p.uniqueid);
    return {
      key: p.uniqueid,
      name: p.callerName ?? p.callerNum ?? p.channel,
      number: p.callerNum,
      usernum: p.usernum,
      tech: p.tech,
      muted: p.muted,
      mutedBy: p.mutedBy,
      talking: p.talking,
      admin: p.admin,
      marked: p.marked,
      topic: p.topic,
      inRoomSec: Math.max(0, Math.floor((now - p.joinedAt) / 1000)),
      buttons,
      ...(line === undefined ? {} : { line }),
    };
  });
  const wantedRoomButtons = available
    ? [
        room.locked
          ? button({ kind: 'lock', pbx, room: roomName, on: false }, 'Unlock', 'default')
          : button({ kind: 'lock', pbx, room: roomName, on: true }, 'Lock', 'default'),
        button({ kind: 'mute_all', pbx, room: roomName, on: true }, 'Mute all', 'danger', {
          // No head count: the confirmation is shown when pressed, and this message may be older than
          // the room's last join; it would understate who is about to be muted.
          title: 'Mute everyone?', text: `Mute everyone in room ${roomName}? Whoever is in it when you confirm is included.`, confirm: 'Mute all', deny: 'Cancel',
        }),
      ]
    : [];
  const roomButtons = present(wantedRoomButtons);
  if (roomButtons.length < wantedRoomButtons.length) unencodable = true;
  const tooLong = unencodable ? 'Room or PBX name too long for buttons: use typed commands' : undefined;
  return {
    kind: 'status', pbx, room: roomName, count: participants.length, flags,
    runningSec: Math.max(0, Math.floor((now - room.startedAt) / 1000)),
    rows, buttons: roomButtons,
    banner: unreachable ?? tooLong,
    ended: undefined,
    updatedAt: now,
  };
}

function onOff(on: boolean): string {
  return on ? 'on' : 'off';
}

function pbxLine(p: PbxSummary): string {
  // A forced dialect whose actions the PBX refuses was never detected: say so rather than "detected".
  const refused = p.problem?.kind === 'dialect_refused';
  const detected = refused ? 'forced, but its actions are refused by the PBX' : p.detectedDialect === undefined ? 'not detected yet' : `detected ${p.detectedDialect}`;
  const dialect = `dialect ${p.dialect} (${detected})`;
  const since = p.since === undefined ? '' : ` since ${formatClock(p.since)} UTC`;
  const state = p.problem !== undefined ? p.problem.label : p.available ? 'available' : 'unreachable';
  const fix = p.problem === undefined ? '' : `. Fix: ${p.problem.fix}`;
  return `  ${p.id}: ${p.host}:${p.port}, TLS ${onOff(p.tls)}, auth ${p.authType}, ${dialect}, ${state}${since}${fix}`;
}

function sensorLine(s: SensorSummary): string {
  return `  ${s.id}: ${s.address}, AES ${s.aes ? `on (${s.cipher ?? 'default cipher'})` : 'off'}`;
}

function grantLine(g: GrantSummary): string {
  const list = (items: readonly string[]): string => (items.length === 0 ? 'none' : items.join(', '));
  return `  ${g.role}: users ${list(g.users)}; groups ${list(g.groups)}; pbx ${g.pbx}; rooms ${g.rooms}`;
}

/** `config`: the running configuration, one line per PBX, sensor and grant. The summary holds no secret. */
export function configView(summary: ConfigSummary): ReplyView {
  const lines = ['Secrets (AMI secrets, tokens, signing and AES keys) are never shown. Times UTC.'];
  lines.push(`PBXs (${summary.pbxs.length}):`, ...summary.pbxs.map(pbxLine));
  lines.push(summary.sensors.length === 0 ? 'Sensors: none' : `Sensors (${summary.sensors.length}):`, ...summary.sensors.map(sensorLine));
  const l = summary.listen;
  lines.push(l === undefined
    ? 'Live listening: off'
    : `Live listening: public base URL ${l.publicBaseUrl}, link TTL ${l.linkTtlSec}s, single-use ${onOff(l.singleUse)}, player at ${l.playerAddress}`);
  lines.push(`Chat adapters: ${summary.adapters.length === 0 ? 'none' : summary.adapters.join(', ')}`);
  lines.push(
    summary.grants.length === 0 ? 'Role grants: 0 (chat users may only view)' : `Role grants: ${summary.grants.length}`,
    ...summary.grants.map(grantLine),
  );
  lines.push(`Data dir: ${summary.dataDir}`, `Log level: ${summary.logLevel}`);
  const down = summary.pbxs.some((p) => !p.available);
  return replyView(lines.join('\n'), { title: 'Running configuration', tone: down ? 'warning' : 'info' });
}
