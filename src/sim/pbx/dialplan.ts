import type { DialOutcome, DialplanOptions, LobbySpec } from './types.ts';

/** Where a channel that reaches (context, exten) ends up. */
export type Destination =
  | { readonly kind: 'room'; readonly room: string; readonly admin: boolean; readonly marked: boolean }
  | { readonly kind: 'moh' }
  | { readonly kind: 'elsewhere' };

export const DEFAULT_ROOM_CONTEXT = 'confs';
export const DEFAULT_LOBBY_CONTEXT = 'lobby';

/** Numbers that fail when dialled, so invites can be made to fail (SIP response codes, easy to remember). */
export const DEFAULT_DIAL_OUTCOMES: Readonly<Record<string, DialOutcome>> = {
  '486': 'busy',
  '480': 'no-answer',
  '503': 'congestion',
};

/** Asterisk's `Reason` codes in OriginateResponse (AST_CONTROL_*). */
export const ORIGINATE_REASON: Readonly<Record<DialOutcome, number>> = {
  answer: 4,
  busy: 5,
  'no-answer': 3,
  congestion: 8,
};

/**
 * The embedded PBX's dialplan, pure: explicit room entries first, then music-on-hold extensions
 * (configured, and every `moh` lobby), then other applications, then `<roomContext>/<room>`;
 * anything else is "elsewhere".
 */
export class Dialplan {
  readonly roomContext: string;

  constructor(
    private readonly opts: DialplanOptions = {},
    private readonly lobbies: Readonly<Record<string, LobbySpec>> = {},
  ) {
    this.roomContext = opts.roomContext ?? DEFAULT_ROOM_CONTEXT;
  }

  resolve(context: string, exten: string): Destination {
    const entry = this.opts.entries?.find((e) => e.context === context && e.exten === exten);
    if (entry) return { kind: 'room', room: entry.room, admin: entry.admin ?? false, marked: entry.marked ?? false };
    if (this.isMusicOnHold(context, exten)) return { kind: 'moh' };
    if (this.opts.applications?.some((a) => a.context === context && a.exten === exten)) return { kind: 'elsewhere' };
    if (context === this.roomContext && /^[A-Za-z0-9_.-]+$/.test(exten)) {
      return { kind: 'room', room: exten, admin: false, marked: false };
    }
    return { kind: 'elsewhere' };
  }

  /** The (context, exten) a plain caller dials to reach `room`. */
  roomExtension(room: string): { context: string; exten: string } {
    // A room whose name is no valid extension (ConfBridge names may hold anything) has an entry.
    const entry = this.opts.entries?.find((e) => e.room === room && e.admin !== true && e.marked !== true);
    return entry ? { context: entry.context, exten: entry.exten } : { context: this.roomContext, exten: room };
  }

  /** Where a caller waiting for `room` sits. */
  lobbyFor(room: string): LobbySpec {
    return this.lobbies[room] ?? { type: 'moh', context: DEFAULT_LOBBY_CONTEXT, exten: room };
  }

  private isMusicOnHold(context: string, exten: string): boolean {
    if (this.opts.musicOnHold?.some((m) => m.context === context && m.exten === exten)) return true;
    if (context === DEFAULT_LOBBY_CONTEXT) return true;
    return Object.values(this.lobbies).some((l) => l.type === 'moh' && l.context === context && l.exten === exten);
  }
}

/** The dial target of `PJSIP/1234`, `SIP/trunk/5551234` or `Local/200@confs`: the number part. */
export function dialledNumber(channel: string): string {
  const slash = channel.indexOf('/');
  const rest = slash === -1 ? channel : channel.slice(slash + 1);
  const at = rest.indexOf('@');
  const head = at === -1 ? rest : rest.slice(0, at);
  const lastSlash = head.lastIndexOf('/');
  return lastSlash === -1 ? head : head.slice(lastSlash + 1);
}
