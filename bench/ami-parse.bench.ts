/**
 * AMI parsing throughput: our streaming parser against the parsers inside the npm packages
 * `asterisk-manager` and `asterisk-ami-client`, and against a baseline that only splits frames on
 * the blank line. The stream is ≥200,000 events drawn from the real Asterisk 22 captures (Newchannel,
 * VarSet, Newexten, Confbridge*, Hangup, Cdr, list answers...), fed in 64 KiB chunks. Each contender
 * must also get the event count and a checksum (sum of Uniqueid value lengths) right.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StringDecoder } from 'node:string_decoder';
import { AmiParser } from '../src/ami/protocol.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '..', 'test', 'fixtures', 'ami');
const TARGET_EVENTS = 200_000;
const CHUNK = 64 * 1024;
/** Peers get this long at most; their rate is measured on the whole chunks they got through. */
const PEER_BUDGET_MS = 8_000;
/** Passes of each fast contender; the best one counts. */
const FAST_PASSES = 7;

interface Frame {
  readonly bytes: Buffer;
  readonly isEvent: boolean;
  readonly uniqueidLength: number;
}

/** Message frames of a capture (banner dropped), with what each one should yield. */
function framesOf(file: string): Frame[] {
  const text = readFileSync(join(FIXTURES, file)).toString('latin1');
  const body = text.slice(text.indexOf('\r\n') + 2);
  return body
    .split('\r\n\r\n')
    .filter((f) => f.length > 0)
    .map((f) => {
      const lines = f.split('\r\n');
      const uid = lines.find((l) => l.toLowerCase().startsWith('uniqueid: '));
      return {
        bytes: Buffer.from(`${f}\r\n\r\n`, 'latin1'),
        isEvent: lines[0]?.startsWith('Event: ') === true,
        uniqueidLength: uid === undefined ? 0 : uid.length - 'uniqueid: '.length,
      };
    });
}

interface Stream {
  readonly chunks: Buffer[];
  /** Truth after each chunk: events whose last byte is within chunks 0..i, and their checksum. */
  readonly eventsAfter: number[];
  readonly checksumAfter: number[];
  readonly events: number;
  readonly checksum: number;
  readonly bytes: number;
}

function buildStream(): Stream {
  const frames = [...framesOf('00_ro_event_listener.s2c.raw'), ...framesOf('05_conference_200.s2c.raw')];
  const parts: Buffer[] = [Buffer.from('Asterisk Call Manager/11.0.0\r\n')];
  const ends: { end: number; isEvent: boolean; uid: number }[] = [];
  let offset = parts[0]!.length;
  let events = 0;
  for (let i = 0; events < TARGET_EVENTS; i++) {
    const f = frames[i % frames.length]!;
    parts.push(f.bytes);
    offset += f.bytes.length;
    ends.push({ end: offset, isEvent: f.isEvent, uid: f.uniqueidLength });
    if (f.isEvent) events++;
  }
  const all = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) chunks.push(Buffer.from(all.subarray(at, at + CHUNK)));
  const eventsAfter: number[] = [];
  const checksumAfter: number[] = [];
  let e = 0;
  let sum = 0;
  let k = 0;
  for (let c = 0; c < chunks.length; c++) {
    const limit = Math.min(all.length, (c + 1) * CHUNK);
    while (k < ends.length && ends[k]!.end <= limit) {
      if (ends[k]!.isEvent) {
        e++;
        sum += ends[k]!.uid;
      }
      k++;
    }
    eventsAfter.push(e);
    checksumAfter.push(sum);
  }
  return { chunks, eventsAfter, checksumAfter, events: e, checksum: sum, bytes: all.length };
}

interface Tally {
  events: number;
  checksum: number;
}

interface Contender {
  readonly name: string;
  readonly checksums: boolean;
  /** Feeds one chunk; returns nothing. `finish` lets deferred work (nextTick emits) run. */
  make(tally: Tally): { feed(chunk: Buffer): void; finish(): Promise<void> };
}

const ours: Contender = {
  name: 'meetme-bot AmiParser',
  checksums: true,
  make(tally) {
    const parser = new AmiParser();
    return {
      feed(chunk) {
        for (const out of parser.push(chunk)) {
          if (out.kind !== 'message' || out.message.event === undefined) continue;
          tally.events++;
          tally.checksum += out.message.get('Uniqueid')?.length ?? 0;
        }
      },
      finish: async () => undefined,
    };
  },
};

/**
 * A fair floor: it streams over the same 64 KiB chunks, carries the unfinished frame across chunk
 * boundaries and yields every frame (as a string), as a real splitter must; it only leaves out the
 * bare-LF blank lines that Asterisk never sends but our parser also accepts.
 */
const splitOnly: Contender = {
  name: 'split-only baseline',
  checksums: false,
  make(tally) {
    const decoder = new StringDecoder('latin1');
    let carry = '';
    return {
      feed(chunk) {
        const frames = (carry + decoder.write(chunk)).split('\r\n\r\n');
        carry = frames.pop() ?? '';
        for (const f of frames) if (f.startsWith('Event:')) tally.events++;
      },
      finish: async () => undefined,
    };
  },
};

const requireHere = createRequire(import.meta.url);

/** asterisk-manager's reader is private: it is attached to the socket's 'data'. Hand it a fake socket. */
const asteriskManager: Contender = {
  name: 'asterisk-manager 0.2',
  checksums: true,
  make(tally) {
    const net = requireHere('net') as { createConnection: (...args: unknown[]) => unknown };
    const realCreate = net.createConnection;
    const fake = Object.assign(new EventEmitter(), { setKeepAlive() {}, setNoDelay() {}, setEncoding() {}, readyState: 'open' });
    net.createConnection = () => fake;
    const Manager = requireHere('asterisk-manager') as (...args: unknown[]) => EventEmitter & { connect(port: number, host: string): void };
    const manager = Manager();
    manager.connect(5038, '127.0.0.1');
    net.createConnection = realCreate;
    manager.on('managerevent', (e: { uniqueid?: unknown }) => {
      tally.events++;
      if (typeof e.uniqueid === 'string') tally.checksum += e.uniqueid.length;
    });
    // It sets utf-8 encoding on the socket, so it is fed decoded strings, as a socket would.
    const decoder = new StringDecoder('utf8');
    return {
      feed(chunk) {
        fake.emit('data', decoder.write(chunk));
      },
      finish: () => new Promise((resolve) => setImmediate(resolve)),
    };
  },
};

/** asterisk-ami-client parses in asterisk-ami-events-stream's Transform; drive its _transform directly. */
const asteriskAmiClient: Contender = {
  name: 'asterisk-ami-client 1.1',
  checksums: true,
  make(tally) {
    const clientRequire = createRequire(requireHere.resolve('asterisk-ami-client'));
    const connectorRequire = createRequire(clientRequire.resolve('asterisk-ami-connector'));
    const EventsStream = connectorRequire('asterisk-ami-events-stream') as new () => EventEmitter & {
      _transform(chunk: Buffer, enc: string, done: () => void): void;
      push(chunk: unknown): boolean;
    };
    const stream = new EventsStream();
    // Its readable side re-emits every frame; nobody reads it here, so do not let it buffer.
    stream.push = () => true;
    stream.on('amiEvent', (e: Record<string, unknown>) => {
      tally.events++;
      const uid = e['Uniqueid'];
      if (typeof uid === 'string') tally.checksum += uid.length;
    });
    const done = (): void => undefined;
    return {
      feed(chunk) {
        stream._transform(chunk, 'buffer', done);
      },
      finish: async () => undefined,
    };
  },
};

interface Result {
  readonly name: string;
  readonly eventsPerSec: number;
  readonly chunksDone: number;
  readonly countOk: boolean;
  readonly checksumOk: boolean | undefined;
}

async function measure(c: Contender, stream: Stream, budgetMs: number): Promise<Result> {
  const tally: Tally = { events: 0, checksum: 0 };
  const run = c.make(tally);
  const start = performance.now();
  let done = 0;
  for (const chunk of stream.chunks) {
    run.feed(chunk);
    done++;
    if (performance.now() - start > budgetMs) break;
  }
  await run.finish();
  const seconds = (performance.now() - start) / 1000;
  const expectedEvents = stream.eventsAfter[done - 1] ?? 0;
  const expectedChecksum = stream.checksumAfter[done - 1] ?? 0;
  return {
    name: c.name,
    eventsPerSec: tally.events / seconds,
    chunksDone: done,
    countOk: tally.events === expectedEvents,
    checksumOk: c.checksums ? tally.checksum === expectedChecksum : undefined,
  };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export async function run(): Promise<void> {
  const stream = buildStream();
  process.stdout.write(`stream: ${fmt(stream.events)} events, ${(stream.bytes / 1048576).toFixed(1)} MiB, ${stream.chunks.length} chunks of 64 KiB\n`);
  // The machine is shared and noisy: the two fast contenders take turns for several passes and each
  // keeps its best, so a slow spell hits both rather than skewing their ratio.
  const faster = (a: Result, b: Result): Result => (b.eventsPerSec > a.eventsPerSec ? b : a);
  let base = await measure(splitOnly, stream, Infinity);
  let mine = await measure(ours, stream, Infinity);
  for (let pass = 1; pass < FAST_PASSES; pass++) {
    base = faster(base, await measure(splitOnly, stream, Infinity));
    mine = faster(mine, await measure(ours, stream, Infinity));
  }
  const results: Result[] = [base, mine];
  results.push(await measure(asteriskManager, stream, PEER_BUDGET_MS));
  results.push(await measure(asteriskAmiClient, stream, PEER_BUDGET_MS));

  for (const r of results) {
    const partial = r.chunksDone < stream.chunks.length ? ` (first ${r.chunksDone}/${stream.chunks.length} chunks, time budget)` : '';
    const check = r.checksumOk === undefined ? 'n/a' : r.checksumOk ? 'ok' : 'WRONG';
    process.stdout.write(
      `${r.name.padEnd(26)} ${fmt(r.eventsPerSec).padStart(12)} events/s  count ${r.countOk ? 'ok' : 'WRONG'}  checksum ${check}${partial}\n`,
    );
  }
  for (const r of results.slice(2)) process.stdout.write(`ours / ${r.name}: ${(mine.eventsPerSec / r.eventsPerSec).toFixed(1)}x\n`);
  process.stdout.write(`ours / split-only baseline: ${((mine.eventsPerSec / base.eventsPerSec) * 100).toFixed(0)}%\n`);
}
