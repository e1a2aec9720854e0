import type { ChannelStatusItem } from '../ami/actions.ts';
import type { AmiMessage } from '../ami/message.ts';
import type { PbxConfig } from '../config.ts';
import type { QueuedCaller } from './backend.ts';
import { cleanCallerId } from './channel.ts';
import { BadInputError } from './errors.ts';
import type { Room } from './types.ts';
import { resolveWho, validateWho } from './who.ts';

/**
 * Caller queues for talk-show rooms. A room's lobby is another conference (its participants are the
 * queue) or a music-on-hold extension (channels sitting at that context/exten, from
 * CoreShowChannels). Arrival order comes from the events that show a channel reaching the lobby;
 * channels that were already waiting when the bot connected fall back to their channel age.
 */

export type LobbyConfig = PbxConfig['lobbies'][string];
export type MohLobby = Extract<LobbyConfig, { type: 'moh' }>;

/** Events that show a channel arriving at a dialplan location. */
const ARRIVAL_EVENTS = new Set(['newchannel', 'newexten', 'musiconholdstart']);

/** Remembers when channels reached a music-on-hold lobby. */
export class ArrivalTracker {
  private readonly arrivals = new Map<string, number>();

  constructor(private readonly lobbies: readonly MohLobby[]) {}

  /** Feeds one AMI event. */
  note(msg: AmiMessage, now: number): void {
    const name = msg.event?.toLowerCase();
    if (name === 'hangup') {
      const id = msg.get('Uniqueid');
      if (id !== undefined) this.arrivals.delete(id);
      return;
    }
    if (name === undefined || !ARRIVAL_EVENTS.has(name) || this.lobbies.length === 0) return;
    const id = msg.get('Uniqueid');
    const context = msg.get('Context');
    const exten = msg.get('Exten');
    if (id === undefined || this.arrivals.has(id)) return;
    if (this.lobbies.some((l) => l.context === context && l.exten === exten)) this.arrivals.set(id, now);
  }

  get(uniqueid: string): number | undefined {
    return this.arrivals.get(uniqueid);
  }

  /** Forgets channels no longer waiting (a missed Hangup must not leak an entry forever). */
  keepOnly(uniqueids: ReadonlySet<string>): void {
    for (const id of this.arrivals.keys()) if (!uniqueids.has(id)) this.arrivals.delete(id);
  }
}

/** Asterisk Uniqueids are `<epoch>.<sequence>`: the sequence breaks ties in creation order. */
function uniqueidOrder(a: string, b: string): number {
  const [ae = 0, as = 0] = a.split('.').map(Number);
  const [be = 0, bs = 0] = b.split('.').map(Number);
  return ae - be || as - bs || a.localeCompare(b);
}

function numbered(callers: Omit<QueuedCaller, 'position'>[]): QueuedCaller[] {
  return callers.map((c, i) => ({ ...c, position: i + 1 }));
}

export function mohQueue(channels: readonly ChannelStatusItem[], lobby: MohLobby, arrivalOf: (uniqueid: string) => number | undefined, now: number): QueuedCaller[] {
  const waiting = channels
    .filter((c) => c.context === lobby.context && c.exten === lobby.exten)
    .map((c) => ({
      uniqueid: c.uniqueid,
      channel: c.channel,
      callerNum: cleanCallerId(c.callerIdNum),
      callerName: cleanCallerId(c.callerIdName),
      waitingSince: arrivalOf(c.uniqueid) ?? now - (c.durationSec ?? 0) * 1000,
    }));
  waiting.sort((a, b) => a.waitingSince - b.waitingSince || uniqueidOrder(a.uniqueid, b.uniqueid));
  return numbered(waiting);
}

export function conferenceQueue(lobbyRoom: Room | undefined): QueuedCaller[] {
  if (lobbyRoom === undefined) return [];
  return numbered([...lobbyRoom.participants.values()].map((p) => ({
    uniqueid: p.uniqueid, channel: p.channel, callerNum: p.callerNum, callerName: p.callerName, waitingSince: p.joinedAt,
  })));
}

/**
 * One waiting caller: `#N` is queue position N; otherwise as for participants (caller number,
 * name prefix, channel), and a bare number that names no one is a position too.
 */
export function pickQueued(queue: readonly QueuedCaller[], who: string, room: string): QueuedCaller {
  const text = validateWho(who);
  const position = /^#?\d+$/.test(text) ? Number(text.replace('#', '')) : undefined;
  if (text.startsWith('#')) {
    if (position === undefined) throw new BadInputError(`"${text}" is not a queue position: use digits, like #2.`);
    const byPosition = queue[position - 1];
    if (byPosition) return byPosition;
  }
  try {
    return resolveWho(queue, text, { room, place: 'queue' });
  } catch (err) {
    const byPosition = position === undefined ? undefined : queue[position - 1];
    if (byPosition) return byPosition;
    throw err;
  }
}
