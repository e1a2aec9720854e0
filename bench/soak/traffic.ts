import type { EmbeddedPbx } from '../../src/sim/pbx/index.ts';

/**
 * Caller traffic on the embedded PBX: joins, hangups, talking and self-mutes spread at random over
 * the rooms at a bounded rate. Watched rooms never drop below one caller, so a status message that
 * says "ended" while its room still has people is a wrong message, not an honest ending.
 */

export interface TrafficOptions {
  readonly rooms: readonly string[];
  readonly watched: ReadonlySet<string>;
  /** PBX events per second (each join or hangup emits several AMI events; counted as one here). */
  readonly rate: number;
  readonly maxPerRoom: number;
  readonly random: () => number;
  /** Called for every change made to a room, with the time it was made (performance.now()). */
  readonly onChange: (room: string, at: number) => void;
}

export interface Traffic {
  readonly generated: () => number;
  /** Scenario calls the PBX refused by throwing (a caller gone meanwhile, the PBX restarting). */
  readonly refused: () => number;
  /** Hangs up one caller with a Q.850 `cause` in a room that keeps its floor; false when none could go. */
  hangupWith(cause: number): boolean;
  /** Re-reads who is where from the PBX (bot commands mute and unmute people too). */
  resync(): void;
  stop(): void;
}

interface Caller {
  readonly uniqueid: string;
  readonly name: string;
  muted: boolean;
  talking: boolean;
}

const TICK_MS = 20;

export function startTraffic(pbx: EmbeddedPbx, opts: TrafficOptions): Traffic {
  const callers = new Map<string, Caller[]>(opts.rooms.map((r) => [r, []]));
  let generated = 0;
  let refused = 0;
  let nameSeq = 0;
  let budget = 0;
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(opts.random() * items.length)];

  const join = (room: string, list: Caller[]): void => {
    const n = ++nameSeq;
    const ch = pbx.join(room, { num: String(100000 + n), name: `Caller${n}`, tech: 'PJSIP' });
    list.push({ uniqueid: ch.uniqueid, name: `Caller${n}`, muted: false, talking: false });
  };

  const step = (): void => {
    const room = pick(opts.rooms);
    if (room === undefined) return;
    const list = callers.get(room) ?? [];
    const floor = opts.watched.has(room) ? 1 : 0;
    const r = opts.random();
    const who = pick(list);
    if (list.length <= floor || (r < 0.25 && list.length < opts.maxPerRoom) || who === undefined) {
      if (list.length >= opts.maxPerRoom) return;
      join(room, list);
    } else if (r < 0.45 && list.length > floor) {
      list.splice(list.indexOf(who), 1);
      pbx.hangup(who.uniqueid);
    } else if (r < 0.8) {
      who.talking = !who.talking;
      pbx.talk(who.uniqueid, who.talking);
    } else {
      who.muted = !who.muted;
      pbx.mute(who.uniqueid, who.muted);
    }
    generated++;
    opts.onChange(room, performance.now());
  };

  let last = performance.now();
  const timer = setInterval(() => {
    // Elapsed time, not ticks: a late tick (busy loop) catches up, but never by more than a second's worth.
    const now = performance.now();
    budget = Math.min(budget + (opts.rate * (now - last)) / 1000, opts.rate);
    last = now;
    while (budget >= 1) {
      budget--;
      try {
        step();
      } catch {
        refused++;
      }
    }
  }, TICK_MS);

  return {
    generated: () => generated,
    refused: () => refused,
    hangupWith(cause: number): boolean {
      const room = pick(opts.rooms.filter((r) => (callers.get(r)?.length ?? 0) > (opts.watched.has(r) ? 1 : 0)));
      const list = room === undefined ? undefined : callers.get(room);
      const who = list === undefined ? undefined : pick(list);
      if (room === undefined || list === undefined || who === undefined) return false;
      list.splice(list.indexOf(who), 1);
      try {
        pbx.hangup(who.uniqueid, cause);
      } catch {
        refused++;
        return false;
      }
      generated++;
      opts.onChange(room, performance.now());
      return true;
    },
    resync(): void {
      const snapshot = new Map(pbx.rooms().map((r) => [r.name, r]));
      for (const room of opts.rooms) {
        const seen = snapshot.get(room)?.participants ?? [];
        callers.set(room, seen.map((p) => ({ uniqueid: p.uniqueid, name: p.callerName, muted: p.muted, talking: p.talking })));
      }
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
