/**
 * Line quality at scale: 200 watched participants across 50 rooms, one sensor, 10 minutes of virtual
 * time with people talking, a quarter of the lines going poor and back every 30 s. Measures the
 * `listcalls` requests per poll interval (target: at most one per sensor, however many rooms) and
 * the status edits, against the same run without line quality (target: within the same bound, the
 * talking pace of one edit per 3 s per message). Virtual time: the run takes a second or so.
 */
import type { ConferenceBackend, ConferenceDirectory } from '../src/conference/backend.ts';
import type { Actor, Conversation } from '../src/core/adapter.ts';
import type { Clock, TimerHandle } from '../src/core/clock.ts';
import { StatusService } from '../src/core/status.ts';
import { silentLogger } from '../src/log.ts';
import { CallWatch } from '../src/listen/call-watch.ts';
import { startLineQuality } from '../src/quality/start.ts';
import type { SensorCall } from '../src/sensor/listcalls.ts';
import { MemoryStore } from '../src/store/memory.ts';
import { FakeAdapter, FakeDirectory, participant } from './status-fakes.ts';

const ROOMS = 50;
const PER_ROOM = 4;
const RUN_MS = 10 * 60_000;
const POLL_MS = 5000;
const TALKING_MS = 3000;
const conv = (room: string): Conversation => ({ platform: 'slack', id: `C-${room}` });
const actor: Actor = { platform: 'slack', userId: 'U-bench', displayName: 'bench', groups: [] };

/** Virtual time: timers run in order as the run advances it. */
class VirtualClock implements Clock {
  #now = Date.UTC(2026, 0, 5, 12);
  #id = 0;
  #timers: { id: number; due: number; fn: () => void }[] = [];
  now(): number { return this.#now; }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#id;
    this.#timers.push({ id, due: this.#now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: TimerHandle): void { this.#timers = this.#timers.filter((t) => t.id !== handle); }
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = target;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Every channel's SIP Call-ID is `<channel>@call`, as a PBX would answer GetVar. */
function withCallIds(directory: FakeDirectory): ConferenceDirectory {
  return {
    pbxIds: () => directory.pbxIds(),
    onChange: (listener) => directory.onChange(listener),
    backend: (pbx): ConferenceBackend => ({ ...directory.backend(pbx), getChannelVar: async (channel: string) => `${channel}@call` }),
  };
}

function sensorCall(n: number, channel: string, poor: boolean): SensorCall {
  const mos = poor ? 27 : 44;
  return {
    callref: `0x${(0x7f00 + n).toString(16)}`, callId: `${channel}@call`, caller: String(700 + n), called: '200', callerName: undefined,
    startedAt: 0, durationSec: 60, connectDurationSec: 59, callerCodec: 'PCMU', calledCodec: 'PCMU', mos: mos / 10, sensorNumber: 1, lastSipResponse: 200,
    fields: { src_mosf1: mos, src_mosf2: mos, src_mosAD: mos, dst_mosf1: 44, src_loss_last10sec: poor ? 12 : 0, dst_loss_last10sec: 0, callercodec: 0 },
  };
}

interface Outcome {
  readonly edits: number;
  readonly maxPerMessage: number;
  readonly listcalls: number;
  readonly marked: number;
}

async function scenario(withQuality: boolean): Promise<Outcome> {
  const clock = new VirtualClock();
  const fake = new FakeDirectory(clock);
  const people: { room: string; uniqueid: string; channel: string; n: number }[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const room = String(200 + r);
    for (let i = 0; i < PER_ROOM; i++) {
      const n = r * PER_ROOM + i + 1;
      const p = participant(room, n);
      fake.join(room, p);
      people.push({ room, uniqueid: p.uniqueid, channel: p.channel, n });
    }
  }
  const directory = withCallIds(fake);
  let listcalls = 0;
  const sensor = {
    id: 's1',
    listCalls: async (): Promise<SensorCall[]> => {
      listcalls += 1;
      const phase = Math.floor(clock.now() / 30_000) % 2 === 1;
      return people.map((p) => sensorCall(p.n, p.channel, phase && p.n % 4 === 0));
    },
  };
  const log = silentLogger();
  const quality = withQuality
    ? startLineQuality({ callWatches: new Map([['s1', new CallWatch(sensor, 1000, clock, log)]]), directory, pollIntervalSec: POLL_MS / 1000, logger: log, clock })
    : undefined;
  const adapter = new FakeAdapter(clock);
  const status = new StatusService({
    directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), clock, random: () => 0.5, talkingIntervalMs: TALKING_MS,
    ...(quality === undefined ? {} : { render: quality.render }),
  });
  await status.start();
  for (let r = 0; r < ROOMS; r++) await status.watch('pbx1', String(200 + r), conv(String(200 + r)), actor);
  quality?.attach(status);
  const next = lcg(11);
  const editsAtStart = adapter.edits.length;
  let marked = 0;
  quality?.monitor.subscribe((report) => { if (report.mark === 'poor') marked += 1; });
  for (let t = 0; t < RUN_MS; t += 500) {
    // Someone starts or stops talking somewhere about twice a second.
    const who = people[Math.floor(next() * people.length)];
    if (who !== undefined) fake.talk(who.room, who.uniqueid, next() < 0.5);
    await clock.advance(500);
  }
  await status.idle();
  const edits = adapter.edits.slice(editsAtStart);
  const perMessage = new Map<string, number>();
  for (const e of edits) perMessage.set(e.ref.id, (perMessage.get(e.ref.id) ?? 0) + 1);
  quality?.stop();
  await status.stop();
  return { edits: edits.length, maxPerMessage: Math.max(0, ...perMessage.values()), listcalls, marked };
}

export async function run(): Promise<void> {
  const without = await scenario(false);
  const withQ = await scenario(true);
  const intervals = RUN_MS / POLL_MS;
  const perMessageBound = Math.ceil(RUN_MS / TALKING_MS) + 1;
  const ratio = (a: number, b: number): string => (b === 0 ? `${a} vs 0` : `${(a / b).toFixed(2)}×`);
  console.log(`${ROOMS * PER_ROOM} watched participants in ${ROOMS} rooms, ${RUN_MS / 60_000} min virtual, poll ${POLL_MS / 1000} s, one sensor`);
  // One listing more than intervals: the one taken at once when polling starts.
  console.log(`  listcalls: ${withQ.listcalls} in ${intervals} poll intervals, ${(withQ.listcalls / intervals).toFixed(2)} per interval per sensor (target ≤ 1 + the start: ${withQ.listcalls <= intervals + 1 ? 'ok' : 'EXCEEDED'}); without quality: ${without.listcalls}`);
  console.log(`  poor marks reported: ${withQ.marked} (lines going poor every minute: ${(ROOMS * PER_ROOM) / 4})`);
  console.log(`  status edits: with quality ${withQ.edits}, without ${without.edits} (ratio ${ratio(withQ.edits, without.edits)})`);
  console.log(`  busiest message: with quality ${withQ.maxPerMessage}, without ${without.maxPerMessage} edits (bound ceil(run/3 s)+1 = ${perMessageBound}: ${withQ.maxPerMessage <= perMessageBound ? 'ok' : 'EXCEEDED'})`);
}
