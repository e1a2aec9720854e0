/**
 * Reconnect: an embedded PBX with 1,000 callers in 100 rooms, every room watched through a recording
 * chat adapter, is restarted with its calls kept. Measures the time from the AMI link coming back to
 * every watched message showing the true room again (target under 2 s), beside the time the PBX
 * itself takes to answer the list actions a resync needs, asked over a bare socket in the same run.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pbxSchema } from '../src/config.ts';
import { ConferenceRegistry } from '../src/conference/directory.ts';
import { createPbxConnection, type PbxConnection } from '../src/conference/pbx.ts';
import type { Actor, Conversation } from '../src/core/adapter.ts';
import { systemClock } from '../src/core/clock.ts';
import { StatusService } from '../src/core/status.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../src/sim/pbx/index.ts';
import { MemoryStore } from '../src/store/memory.ts';
import { FakeAdapter, fakeRender } from './status-fakes.ts';

const ROOMS = 100;
const PER_ROOM = 10;
const TARGET_MS = 2000;
const actor: Actor = { platform: 'slack', userId: 'U-bench', displayName: 'bench', groups: [] };
const roomName = (i: number) => String(1000 + i);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(pred: () => boolean, limitMs: number): Promise<number> {
  const start = performance.now();
  while (!pred()) {
    if (performance.now() - start > limitMs) return Number.POSITIVE_INFINITY;
    await sleep(1);
  }
  return performance.now() - start;
}

/** Does the last view of this room's message show exactly the callers (and mutes) the PBX has? */
function showsTruth(adapter: FakeAdapter, refId: string, sim: EmbeddedPbx, room: string): boolean {
  const view = adapter.lastViewOf(refId);
  if (view?.kind !== 'status' || view.banner !== undefined) return false;
  const truth = sim.rooms().find((r) => r.name === room)?.participants ?? [];
  if (view.rows.length !== truth.length) return false;
  const shown = new Map(view.rows.map((r) => [r.key, r.muted]));
  return truth.every((p) => shown.get(p.uniqueid) === p.muted);
}

/** Does the bot's room state (what views are built from) hold exactly the PBX's callers again? */
function stateTrue(conn: PbxConnection, sim: EmbeddedPbx): boolean {
  const state = conn.state();
  if (!state.available) return false;
  return sim.rooms().every((r) => {
    const mine = state.rooms.get(r.name)?.participants;
    return mine !== undefined && mine.size === r.participants.length && r.participants.every((p) => mine.get(p.uniqueid)?.muted === p.muted);
  });
}

/**
 * The PBX's own answer time for a resync's questions: log in on a bare socket, ask
 * ConfbridgeListRooms and one ConfbridgeList per room at once, stop at the last list's end.
 */
async function pbxListTime(sim: EmbeddedPbx): Promise<number> {
  const socket = connect(sim.port, sim.host);
  let buffer = '';
  let waiting: { readonly count: number; readonly resolve: () => void } | undefined;
  let finished = 0;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\r\n\r\n');
    while (end >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 4);
      if (/^ActionID: list-/m.test(message) && (/^EventList: Complete/m.test(message) || /^Response: Error/m.test(message))) finished += 1;
      if (/^ActionID: login/m.test(message)) finished += 1;
      if (waiting !== undefined && finished >= waiting.count) waiting.resolve();
      end = buffer.indexOf('\r\n\r\n');
    }
  });
  const done = (count: number) => new Promise<void>((resolve) => {
    waiting = { count, resolve };
    if (finished >= count) resolve();
  });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write('Action: Login\r\nActionID: login\r\nUsername: bot\r\nSecret: botsecret\r\n\r\n');
  await done(1);
  const start = performance.now();
  let out = 'Action: ConfbridgeListRooms\r\nActionID: list-rooms\r\n\r\n';
  for (let i = 0; i < ROOMS; i++) out += `Action: ConfbridgeList\r\nActionID: list-${i}\r\nConference: ${roomName(i)}\r\n\r\n`;
  socket.write(out);
  await done(1 + 1 + ROOMS);
  const took = performance.now() - start;
  socket.destroy();
  return took;
}

export async function run(): Promise<void> {
  const sim = await startEmbeddedPbx({ dialect: 'confbridge' });
  for (let i = 0; i < ROOMS; i++) {
    for (let j = 0; j < PER_ROOM; j++) sim.join(roomName(i), { num: String(10_000 + i * PER_ROOM + j), name: `Caller ${i}-${j}`, muted: j % 3 === 0 });
  }
  const config = pbxSchema.parse({ id: 'sim', host: sim.host, port: sim.port, username: 'bot', secret: 'botsecret', pingIntervalMs: 0 });
  const conn: PbxConnection = createPbxConnection(config, { amiOverrides: { reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 } } });
  const registry = new ConferenceRegistry([conn]);
  await registry.start();
  // Paced at one edit a second, within a per-message bucket of 5 edits per 5 s (Discord's), which
  // the correcting edit after the reconnect may use.
  const adapter = new FakeAdapter(systemClock, { minEditIntervalMs: 1000, messageLimit: { edits: 5, perMs: 5000 } });
  const service = new StatusService({
    directory: registry, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), render: fakeRender, clock: systemClock,
  });
  await service.start();
  await waitFor(() => (conn.state().rooms.size >= ROOMS), 30_000);
  const refs: { room: string; ref: string }[] = [];
  for (let i = 0; i < ROOMS; i++) {
    const conversation: Conversation = { platform: 'slack', id: `C-${i}` };
    await service.watch('sim', roomName(i), conversation, actor);
    const ref = adapter.posts.find((p) => p.conversation.id === conversation.id)?.ref.id;
    if (ref === undefined) throw new Error(`no status message for room ${roomName(i)}`);
    refs.push({ room: roomName(i), ref });
  }
  const allTrue = () => refs.every(({ room, ref }) => showsTruth(adapter, ref, sim, room));
  const settled = await waitFor(allTrue, 30_000);
  if (!Number.isFinite(settled)) throw new Error('status messages never showed the truth before the restart');
  // The restart's "unreachable" edits must not be held back by a recent edit.
  await sleep(1100);

  let wentDown = false;
  let linkUp: number | undefined;
  const off = conn.onChange(() => {
    const up = conn.state().available;
    if (!up) wentDown = true;
    else if (wentDown && linkUp === undefined) linkUp = performance.now();
  });
  await sim.restart(50, { keepCalls: true });
  const listening = performance.now();
  await waitFor(() => linkUp !== undefined, 10_000);
  off();
  if (linkUp === undefined) throw new Error('the AMI link never came back');
  await waitFor(() => stateTrue(conn, sim), 30_000);
  const toState = performance.now() - linkUp;
  await waitFor(allTrue, 30_000);
  const toTruth = performance.now() - listening;
  const linkToTruth = performance.now() - linkUp;
  const listeningToLink = linkUp - listening;
  const edits = adapter.edits.length;
  const bannerEdits = adapter.edits.filter((e) => e.view.kind === 'status' && e.view.banner !== undefined).length;
  const rateLimited = adapter.rateLimited;

  const baseline = await pbxListTime(sim);
  console.log(`reconnect: ${ROOMS * PER_ROOM} callers in ${ROOMS} rooms, ${ROOMS} status messages watched (edit interval 1000 ms, budget 5 edits per 5 s per message)`);
  console.log(`  PBX listening again → link up and resynced (reconnect backoff 20 ms + login + lists): ${listeningToLink.toFixed(0)} ms`);
  console.log(`  link up → bot's room state equals the PBX: ${toState.toFixed(0)} ms; → every watched message true: ${linkToTruth.toFixed(0)} ms`);
  console.log(`  PBX listening again → every watched message true: ${toTruth.toFixed(0)} ms (target < ${TARGET_MS} ms: ${toTruth < TARGET_MS ? 'ok' : 'MISSED'})`);
  console.log(`  PBX answering the list actions alone (1 + ${ROOMS} lists, bare socket): ${baseline.toFixed(1)} ms`);
  console.log(`  ratios against the PBX list time: link up and resynced ${(listeningToLink / baseline).toFixed(1)}×, messages true ${(toTruth / baseline).toFixed(1)}×`);
  console.log(`  edits sent in total: ${edits}, of which showing "PBX unreachable": ${bannerEdits}; 429s: ${rateLimited}`);
  await service.stop();
  await registry.stop();
  await sim.stop();
}
