import type { EmbeddedPbx } from './pbx.ts';
import type { CallerSpec, ChannelTech, ParticipantSnapshot } from './types.ts';

/**
 * Keeps a few rooms alive for `npm start`: people join, talk, get muted and leave, at a human pace
 * (one thing happens every `tickMs`, 1.5 s by default). With an injected `rng` the sequence is
 * deterministic, and `tick()` lets tests step it without timers.
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

/** Mostly normal clearing; now and then a busy, no-answer or network cause, so hangup alerts have something to show. */
const CAUSES: readonly number[] = [16, 16, 16, 16, 16, 16, 16, 17, 19, 27, 34, 38];

const MIN_PEOPLE = 2;
const MAX_PEOPLE = 6;

function pick<T>(items: readonly T[], rng: () => number): T | undefined {
  return items[Math.floor(rng() * items.length)];
}

export function startDemo(pbx: EmbeddedPbx, opts: DemoOptions = {}): DemoHandle {
  const rooms = opts.rooms ?? ['200', '201'];
  const rng = opts.rng ?? Math.random;
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

  const tick = (): void => {
    const room = pick(rooms, rng);
    if (room !== undefined) step(room);
  };

  for (const room of rooms) for (let i = 0; i < MIN_PEOPLE; i++) step(room);
  const timer = setInterval(tick, opts.tickMs ?? 1500);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
