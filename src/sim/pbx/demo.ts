import type { EmbeddedPbx } from './pbx.ts';
import type { CallerSpec, ChannelTech, ParticipantSnapshot } from './types.ts';

/**
 * Keeps a few rooms alive for `npm start`: people join, talk, get muted and leave, at a human pace
 * (one thing happens every `tickMs`, 1.5 s by default). Every 20-40 s a caller phones in to wait in
 * the first room's lobby (at most 3 at once), so `queue` and `bringin` have someone to show; one
 * nobody brings in hangs up after 3-5 minutes. Time is counted in ticks, not read from a clock:
 * with an injected `rng` the sequence is deterministic, and `tick()` lets tests step it without timers.
 */

export interface DemoOptions {
  /** Default `['200', '201']`. */
  readonly rooms?: readonly string[];
  /** Default `Math.random`. */
  readonly rng?: () => number;
  /** Default 1500 ms. */
  readonly tickMs?: number;
}

export interface DemoHandle {
  stop(): void;
  /** One step of the script (what the timer does every `tickMs`). */
  tick(): void;
}

const PEOPLE: readonly { name: string; num: string }[] = [
  { name: 'Alice Martin', num: '1001' }, { name: 'Bob Nguyen', num: '1002' }, { name: 'Carol Schmidt', num: '1003' },
  { name: 'Dave Okafor', num: '1004' }, { name: 'Erin Rossi', num: '1005' }, { name: 'Frank Dubois', num: '1006' },
  { name: 'Grace Kim', num: '1007' }, { name: 'Heidi Larsen', num: '1008' }, { name: 'Ivan Petrov', num: '1009' },
  { name: 'Judy Alvarez', num: '1010' }, { name: 'Mallory Chen', num: '1011' }, { name: 'Niaj Haddad', num: '1012' },
];

/** Listeners phoning in to the talk show: apart from PEOPLE, so a caller in the lobby is never also in the room. */
const CALLERS: readonly { name: string; num: string }[] = [
  { name: 'Olivia Brown', num: '5550101' }, { name: 'Peggy Walsh', num: '5550102' }, { name: 'Rupert Singh', num: '5550103' },
  { name: 'Sybil Moreau', num: '5550104' }, { name: 'Trent Ibarra', num: '5550105' }, { name: 'Victor Lindqvist', num: '5550106' },
];

/** Mostly normal clearing; now and then a busy, no-answer or network cause, so hangup alerts have something to show. */
const CAUSES: readonly number[] = [16, 16, 16, 16, 16, 16, 16, 17, 19, 27, 34, 38];

const MIN_PEOPLE = 2;
const MAX_PEOPLE = 6;
const MAX_WAITING = 3;
/** A new caller arrives in the lobby this long (ms of demo time) after the last arrival, plus up to `LOBBY_SPREAD_MS`. */
const LOBBY_EVERY_MS = 20_000;
const LOBBY_SPREAD_MS = 20_000;
/** A waiting caller nobody brings in gives up after this long, plus up to `PATIENCE_SPREAD_MS`. */
const PATIENCE_MS = 180_000;
const PATIENCE_SPREAD_MS = 120_000;

/** A caller the demo put in the lobby: where they sat, to tell "still waiting" from "brought in". */
interface Waiting {
  readonly uniqueid: string;
  readonly context: string;
  readonly exten: string;
  readonly room: string | undefined;
  readonly givesUpAt: number;
}

function pick<T>(items: readonly T[], rng: () => number): T | undefined {
  return items[Math.floor(rng() * items.length)];
}

export function startDemo(pbx: EmbeddedPbx, opts: DemoOptions = {}): DemoHandle {
  const rooms = opts.rooms ?? ['200', '201'];
  const rng = opts.rng ?? Math.random;
  const tickMs = opts.tickMs ?? 1500;
  const lobbyRoom = rooms[0];
  const defaultTech: ChannelTech = pbx.dialect === 'confbridge' ? 'PJSIP' : 'SIP';

  const newcomer = (present: readonly ParticipantSnapshot[]): CallerSpec => {
    const here = new Set(present.map((p) => p.callerNum));
    const person = pick(PEOPLE.filter((p) => !here.has(p.num)), rng) ?? { name: 'Guest', num: '1099' };
    const roll = rng();
    const tech: ChannelTech = roll < 0.8 ? defaultTech : roll < 0.9 ? 'IAX2' : 'DAHDI';
    return { ...person, tech, admin: present.length === 0 && rng() < 0.5, marked: false, muted: false };
  };

  const step = (room: string): void => {
    const people = pbx.rooms().find((r) => r.name === room)?.participants ?? [];
    if (people.length < MIN_PEOPLE) {
      pbx.join(room, newcomer(people));
      return;
    }
    const roll = rng();
    if (roll < 0.15 && people.length < MAX_PEOPLE) {
      pbx.join(room, newcomer(people));
    } else if (roll < 0.27) {
      const who = pick(people, rng);
      if (who) pbx.hangup(who.uniqueid, pick(CAUSES, rng) ?? 16);
    } else if (roll < 0.37) {
      const who = pick(people, rng);
      if (who) pbx.mute(who.uniqueid, !who.muted);
    } else {
      const talking = people.find((p) => p.talking);
      if (talking) pbx.talk(talking.uniqueid, false);
      else {
        const who = pick(people.filter((p) => !p.muted), rng);
        if (who) pbx.talk(who.uniqueid, true);
      }
    }
  };

  let elapsedMs = 0;
  let nextArrivalAt = LOBBY_EVERY_MS + rng() * LOBBY_SPREAD_MS;
  let waiting: Waiting[] = [];

  const isWaiting = (w: Waiting): boolean => {
    const ch = pbx.channel(w.uniqueid);
    return ch !== undefined && ch.context === w.context && ch.exten === w.exten && ch.room === w.room;
  };

  const lobbyStep = (room: string): void => {
    // Callers brought in (or hung up by someone else) are no longer the demo's to end.
    waiting = waiting.filter(isWaiting);
    for (const w of waiting.filter((x) => elapsedMs >= x.givesUpAt)) pbx.hangup(w.uniqueid);
    waiting = waiting.filter((w) => elapsedMs < w.givesUpAt);
    if (elapsedMs < nextArrivalAt) return;
    nextArrivalAt = elapsedMs + LOBBY_EVERY_MS + rng() * LOBBY_SPREAD_MS;
    if (waiting.length >= MAX_WAITING) return;
    const here = new Set(waiting.map((w) => pbx.channel(w.uniqueid)?.callerNum));
    const person = pick(CALLERS.filter((c) => !here.has(c.num)), rng);
    if (person === undefined) return;
    const { uniqueid } = pbx.waitInLobby(room, { ...person, tech: defaultTech });
    const at = pbx.channel(uniqueid);
    if (at === undefined) return;
    waiting.push({ uniqueid, context: at.context, exten: at.exten, room: at.room, givesUpAt: elapsedMs + PATIENCE_MS + rng() * PATIENCE_SPREAD_MS });
  };

  const tick = (): void => {
    elapsedMs += tickMs;
    if (lobbyRoom !== undefined) lobbyStep(lobbyRoom);
    const room = pick(rooms, rng);
    if (room !== undefined) step(room);
  };

  for (const room of rooms) for (let i = 0; i < MIN_PEOPLE; i++) step(room);
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
