import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot } from '../../src/main.ts';
import { startEmbeddedPbx, type RoomSnapshot } from '../../src/sim/pbx/index.ts';
import { alertSteps, checkAlerts, soakAlertRules } from './alerts.ts';
import { startAmiProxy } from './ami-proxy.ts';
import { DISCORD_ALERT_CHANNEL, DISCORD_MODERATOR_ROLE, startDiscordPlatform } from './fake-discord-platform.ts';
import { SLACK_ALERT_CHANNEL, SLACK_USERS, startSlackPlatform } from './fake-slack-platform.ts';
import { lostActionLine, lostActionReport } from './lost-actions.ts';
import { Measures, mb } from './measures.ts';
import type { ActionWorld, AlertPress, FakePlatform, PendingAction } from './platform.ts';
import { faultSteps, startSteps, type SoakWorld } from './steps.ts';
import { checkMessages } from './check-messages.ts';
import { startTraffic } from './traffic.ts';

/**
 * The soak: the whole bot in this process (shell, Slack and Discord adapters, core, store) talking
 * AMI through a cuttable relay to an embedded PBX under random caller traffic, with the fake
 * platforms failing some edits and simulated users pressing buttons and typing commands.
 */

export interface SoakOptions {
  readonly durationMs: number;
  readonly rooms: number;
  readonly rate: number;
  readonly watchedRooms?: number;
  readonly dropEveryMs?: number;
  readonly restartEveryMs?: number;
  /** User actions per second across all simulated users. */
  readonly actionsPerSec?: number;
  /** How often a caller hangs up with an abnormal cause, raising a hangup alert. */
  readonly abnormalHangupEveryMs?: number;
  /** How often a simulated user presses Ack on an open alert. */
  readonly alertAckEveryMs?: number;
  /** How often a simulated user presses Resolve on an unresolved alert. */
  readonly alertResolveEveryMs?: number;
  readonly seed?: number;
  /** How often a settled heap reading (harness logs dropped, forced GC) is taken after warm-up (default 5 min). */
  readonly settledEveryMs?: number;
  /** Called right after each settled reading (`warm`, `<seconds>s`, `end`): heap-probe.ts writes a snapshot. */
  readonly onSettledHeap?: (label: string) => void;
  readonly progress?: (line: string) => void;
}

export interface Figure {
  readonly label: string;
  readonly value: string | number;
}

export interface SoakResult {
  readonly figures: readonly Figure[];
  /** The first five figures are all 0. */
  readonly passed: boolean;
  /** What went wrong, for a person to read (wrong messages, lost actions). */
  readonly details: readonly string[];
  /** Not counted against the run, named for a person to read: actions the platform reported failed. */
  readonly notes: readonly string[];
}

const ACTION_TIMEOUT_MS = 20_000;
const PLATFORM_FAILED = 'action the platform reported failed';
const SETTLE_MAX_MS = 20_000;
const MAX_PER_ROOM = 6;
const SECRET = 'soak-secret';
/** Harness logs younger than this may still settle an action (ACTION_TIMEOUT_MS) and are kept. */
const HARNESS_LOG_KEEP_MS = 2 * ACTION_TIMEOUT_MS;
/** A heap reading after a forced GC, printed with the progress lines, to show the curve of a long run. */
const SETTLED_READING_EVERY_MS = 5 * 60_000;
/** Lost actions named one a line in the report; the rest are counted. */
const LOST_LINES_MAX = 20;

/** mulberry32: a seeded generator, so a run can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const progress = options.progress ?? (() => undefined);
  const random = seeded(options.seed ?? 1);
  const counters = { crashes: 0, rejections: 0 };
  const onCrash = (err: unknown): void => {
    counters.crashes++;
    progress(`crash: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  };
  const onRejection = (err: unknown): void => {
    counters.rejections++;
    progress(`unhandled rejection: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onRejection);
  const runStartedAt = performance.now();
  const measures = new Measures();
  measures.memory.start = measures.settledMemory();
  const cleanups: (() => Promise<void> | void)[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'meetme-soak-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

  try {
    const rates = { rateLimited: 0.1, serverError: 0.02, retryAfterSec: 1 };
    const pbx = await startEmbeddedPbx({ dialect: 'confbridge', users: [{ username: 'bot', secret: SECRET }], journalLimit: 0 });
    cleanups.push(() => pbx.stop());
    const proxy = await startAmiProxy(pbx);
    cleanups.push(() => proxy.close());
    const slack = await startSlackPlatform(rates, random);
    cleanups.push(() => slack.platform.close());
    const discord = await startDiscordPlatform(rates, random);
    cleanups.push(() => discord.platform.close());
    const platforms: FakePlatform[] = [slack.platform, discord.platform];

    const rooms = Array.from({ length: options.rooms }, (_, i) => String(5000 + i));
    const watched = rooms.slice(0, Math.min(options.watchedRooms ?? 20, rooms.length));
    const shellInput = new PassThrough();
    const shellOutput = new PassThrough();
    let shellBytes = 0;
    shellOutput.on('data', (chunk: Buffer) => {
      shellBytes += chunk.length;
    });
    const config = parseConfig({
      dataDir,
      listen: { port: 0 },
      adapters: ['shell', 'slack', 'discord'],
      slack: { mode: 'socket', botToken: slack.fake.botToken, appToken: slack.fake.appToken, apiUrl: slack.fake.apiUrl },
      discord: { token: 'fake-bot-token', applicationId: discord.fake.applicationId, apiUrl: discord.fake.apiUrl },
      pbxs: [{ id: 'demo', host: '127.0.0.1', port: proxy.port, username: 'bot', secret: SECRET, authType: 'md5' }],
      embedded: { pbx: false },
      roles: [
        ...SLACK_USERS.map((u) => ({ role: u.role, users: [`slack:${u.id}`] })),
        { role: 'moderator', groups: [`discord:${DISCORD_MODERATOR_ROLE}`] },
        { role: 'viewer', users: ['*'] },
      ],
      alerts: { rules: soakAlertRules({ slack: SLACK_ALERT_CHANNEL, discord: DISCORD_ALERT_CHANNEL }, '500?') },
    });
    const bot = await startBot(config, { logger: silentLogger(), demo: false, shellInput, shellOutput, interactive: false });
    cleanups.push(() => bot.stop());
    await slack.fake.socketConnected();

    const watchedSet = new Set(watched);
    /** messageId → room, refreshed from what the platforms hold. */
    const messageRoom = new Map<string, string>();
    const roomMessages = new Map<string, string[]>();
    const refreshMessages = (): void => {
      roomMessages.clear();
      for (const p of platforms) {
        for (const m of p.statusMessages()) {
          messageRoom.set(m.id, m.status.room);
          roomMessages.set(m.status.room, [...(roomMessages.get(m.status.room) ?? []), m.id]);
        }
      }
    };
    const traffic = startTraffic(pbx, {
      rooms, watched: watchedSet, rate: options.rate, maxPerRoom: MAX_PER_ROOM, random,
      onChange: (room, at) => {
        for (const id of roomMessages.get(room) ?? []) measures.changed(id, at);
      },
    });
    cleanups.push(() => traffic.stop());
    const edits = setInterval(() => {
      for (const p of platforms) for (const e of p.takeEdits()) measures.edited(e.messageId, e.at, e.ok);
    }, 50);
    cleanups.push(() => clearInterval(edits));

    // Rooms fill first; a status message is asked for only for a room that exists.
    await sleep(2000);
    for (const [i, room] of watched.entries()) {
      for (const p of platforms) p.watch(room, p.conversations[i % p.conversations.length] ?? '');
    }
    const expected = watched.length * platforms.length;
    const postDeadline = performance.now() + 30_000;
    while (performance.now() < postDeadline) {
      refreshMessages();
      if (platforms.reduce((n, p) => n + p.statusMessages().length, 0) >= expected) break;
      await sleep(250);
    }
    progress(`status messages posted: ${platforms.map((p) => `${p.name} ${p.statusMessages().length}`).join(', ')}`);

    const snapshot = (): Map<string, RoomSnapshot> => new Map(pbx.rooms().map((r) => [r.name, r]));
    const actionWorld: ActionWorld = {
      rooms: watched,
      pickCaller(room) {
        const people = snapshot().get(room)?.participants ?? [];
        return people[Math.floor(random() * people.length)]?.callerName;
      },
      effect(room, caller, muted) {
        const person = snapshot().get(room)?.participants.find((p) => p.callerName === caller);
        return person === undefined || person.muted === muted;
      },
      callerState(room, caller) {
        const person = snapshot().get(room)?.participants.find((p) => p.callerName === caller);
        return person === undefined ? 'not in the room' : person.muted ? 'muted' : 'unmuted';
      },
    };
    const pending: PendingAction[] = [];
    let actionsDone = 0;
    let actionsLost = 0;
    let actionsFailedOnPlatform = 0;
    const lostDetails: string[] = [];
    const platformFailedDetails: string[] = [];
    const sweepActions = (final: boolean): void => {
      const now = performance.now();
      for (let i = pending.length - 1; i >= 0; i--) {
        const a = pending[i] as PendingAction;
        if (a.settled()) {
          actionsDone++;
          pending.splice(i, 1);
        } else if (!final && now - a.issuedAt <= ACTION_TIMEOUT_MS) {
          continue;
        } else if (a.failedOnPlatform?.() === true) {
          actionsFailedOnPlatform++;
          if (platformFailedDetails.length < LOST_LINES_MAX) platformFailedDetails.push(lostActionLine(a, now, runStartedAt, PLATFORM_FAILED));
          pending.splice(i, 1);
        } else {
          actionsLost++;
          if (lostDetails.length < LOST_LINES_MAX) lostDetails.push(lostActionLine(a, now, runStartedAt));
          pending.splice(i, 1);
        }
      }
    };
    const world: SoakWorld = {
      pbx, proxy, random, progress,
      act() {
        const p = platforms[Math.floor(random() * platforms.length)] as FakePlatform;
        const action = p.act(random, actionWorld);
        if (action !== undefined) pending.push(action);
      },
      typeInShell(line) {
        const before = shellBytes;
        shellInput.write(`${line}\n`);
        const answered = (): boolean => shellBytes > before;
        pending.push({ what: `shell admin types ${line}`, issuedAt: performance.now(), settled: answered, lastSeen: () => (answered() ? 'answered' : 'no output') });
      },
      resync() {
        traffic.resync();
        refreshMessages();
        sweepActions(false);
        measures.sampleMemory();
      },
    };
    const alertPresses = { ack: 0, resolve: 0 };
    let abnormalHangups = 0;
    const alertWorld = {
      random,
      hangupWith(cause: number) {
        const done = traffic.hangupWith(cause);
        if (done) abnormalHangups++;
        return done;
      },
      pressAlert(press: AlertPress) {
        const p = platforms[Math.floor(random() * platforms.length)] as FakePlatform;
        const action = p.pressAlert(random, press);
        if (action === undefined) return;
        pending.push(action);
        alertPresses[press]++;
      },
    };
    const steps = startSteps(world, [...faultSteps({
      dropEveryMs: options.dropEveryMs ?? 30_000,
      restartEveryMs: options.restartEveryMs ?? 120_000,
      actionsPerSec: options.actionsPerSec ?? 2,
    }), ...alertSteps(() => alertWorld, {
      abnormalEveryMs: options.abnormalHangupEveryMs ?? 3000,
      ackEveryMs: options.alertAckEveryMs ?? 2000,
      resolveEveryMs: options.alertResolveEveryMs ?? 2000,
    })]);
    cleanups.push(() => steps.stop());

    const loadStart = performance.now();
    const generatedBeforeLoad = traffic.generated();
    // Warm-up: a tenth of the run, at least 30 s, at most a quarter. Room histories fill within it;
    // caches kept 15 and 30 minutes (interactions) and alert state keep growing past it.
    const warmupMs = Math.min(options.durationMs / 4, Math.max(30_000, options.durationMs / 10));
    await sleep(warmupMs);
    // Heap readings measure the bot: the harness's own logs of settled actions are dropped first.
    const pruneHarness = (): number => platforms.reduce((n, p) => n + p.pruneLogs(HARNESS_LOG_KEEP_MS), 0)
      + measures.keepEditCountsOf(new Set(platforms.flatMap((p) => p.statusMessages().map((m) => m.id))));
    pruneHarness();
    measures.memory.warm = measures.settledMemory();
    // Reset before the hook: a heap snapshot there is a stall the figure must show.
    measures.resetLoopDelay();
    options.onSettledHeap?.('warm');
    progress(`warm: heap ${mb(measures.memory.warm.heap)}, rss ${mb(measures.memory.warm.rss)}`);
    const started = performance.now();
    const settledEveryMs = options.settledEveryMs ?? SETTLED_READING_EVERY_MS;
    let nextSettledReading = started + settledEveryMs;
    while (performance.now() - started < options.durationMs - warmupMs) {
      await sleep(Math.min(10_000, options.durationMs - warmupMs - (performance.now() - started)));
      progress(`${Math.round((performance.now() - started + warmupMs) / 1000)} s: ${traffic.generated()} changes, ${measures.edits} edits, heap ${mb(process.memoryUsage().heapUsed)}`);
      if (performance.now() >= nextSettledReading) {
        nextSettledReading += settledEveryMs;
        pruneHarness();
        progress(`settled heap ${mb(measures.settledMemory().heap)}`);
        options.onSettledHeap?.(`${Math.round((performance.now() - started + warmupMs) / 1000)}s`);
      }
    }
    const loopDelayP99 = measures.loopDelayP99Ms();
    const loopDelayMax = measures.loopDelayMaxMs();
    const loadSeconds = (performance.now() - loadStart) / 1000;
    steps.stop();
    traffic.stop();

    // Final settle: the link is up and nothing changes; every message should come to show the truth.
    const editsSeen = (messageId: string): string => {
      const e = measures.editsOf(messageId);
      return e === undefined ? 'no edit received' : `${e.count} edits received, the last ${((e.lastAt - runStartedAt) / 1000).toFixed(1)} s into the run`;
    };
    const check = (): { wrong: string[]; duplicates: number } => checkMessages(platforms, watched, snapshot(), editsSeen);
    const settleStart = performance.now();
    let verdict = check();
    while (performance.now() - settleStart < SETTLE_MAX_MS && (verdict.wrong.length > 0 || pending.length > 0)) {
      await sleep(500);
      for (const p of platforms) for (const e of p.takeEdits()) measures.edited(e.messageId, e.at, e.ok);
      sweepActions(false);
      verdict = check();
    }
    sweepActions(true);
    progress(`settled in ${Math.round(performance.now() - settleStart)} ms`);
    const endUnpruned = measures.settledMemory();
    const pruned = pruneHarness();
    measures.memory.end = measures.settledMemory();
    options.onSettledHeap?.('end');
    measures.stop();

    const warm = measures.memory.warm;
    const end = measures.memory.end;
    const versusWarm = (from: number, to: number): string => {
      const drift = from === 0 ? 0 : ((to - from) / from) * 100;
      return `${drift >= 0 ? '+' : ''}${drift.toFixed(1)}%`;
    };
    const heapDrift = versusWarm(warm.heap, end.heap);
    const heapWithin = Math.abs(end.heap - warm.heap) <= warm.heap * 0.1;
    const injected = platforms.reduce((s, p) => ({ r: s.r + p.injected.rateLimited, e: s.e + p.injected.serverErrors }), { r: 0, e: 0 });
    const alerts = checkAlerts(platforms);
    const figures: Figure[] = [
      { label: 'crashes', value: counters.crashes },
      { label: 'unhandled rejections', value: counters.rejections },
      { label: 'wrong final messages', value: verdict.wrong.length },
      { label: 'duplicate posts', value: verdict.duplicates + alerts.duplicates },
      { label: 'actions lost', value: actionsLost },
      { label: 'edits per message per second (max)', value: measures.maxEditsPerMessagePerSecond },
      { label: 'event to edit latency p50', value: `${measures.latencies.percentile(50)} ms` },
      { label: 'event to edit latency p99', value: `${measures.latencies.percentile(99)} ms` },
      { label: 'heap start', value: mb(measures.memory.start.heap) },
      { label: 'heap after warm-up', value: mb(warm.heap) },
      { label: 'heap max', value: mb(measures.memory.maxHeap) },
      { label: 'heap end', value: mb(end.heap) },
      { label: 'heap end before the harness logs were dropped', value: `${mb(endUnpruned.heap)} (${pruned} entries dropped)` },
      { label: 'heap end vs warm-up', value: `${heapDrift}${heapWithin ? ' (within 10%)' : ' (OUTSIDE 10%)'}` },
      { label: 'rss start', value: mb(measures.memory.start.rss) },
      { label: 'rss after warm-up', value: mb(warm.rss) },
      { label: 'rss max', value: mb(measures.memory.maxRss) },
      { label: 'rss end', value: mb(end.rss) },
      { label: 'rss end vs warm-up', value: versusWarm(warm.rss, end.rss) },
      { label: 'event loop delay p99', value: `${loopDelayP99.toFixed(1)} ms` },
      { label: 'event loop delay max', value: `${loopDelayMax.toFixed(1)} ms` },
      { label: 'pbx changes generated', value: traffic.generated() },
      { label: 'pbx changes per second (achieved)', value: Math.round((traffic.generated() - generatedBeforeLoad) / loadSeconds) },
      { label: 'pbx changes refused', value: traffic.refused() },
      { label: 'status messages', value: platforms.reduce((n, p) => n + p.statusMessages().length, 0) },
      { label: 'edits received', value: measures.edits },
      { label: 'edits answered 429', value: injected.r },
      { label: 'edits answered 500', value: injected.e },
      { label: 'user actions done or refused', value: actionsDone },
      { label: 'user actions the platform reported failed', value: actionsFailedOnPlatform },
      { label: 'slack acknowledgements later than 3 s', value: slack.platform.lateAcknowledgements?.() ?? 0 },
      { label: 'ami drops', value: steps.count('ami drop') },
      { label: 'pbx restarts', value: steps.count('pbx restart') },
      { label: 'slack socket reconnects', value: slack.fake.socketConnections - 1 },
      { label: 'abnormal hangups made', value: abnormalHangups },
      { label: 'alerts raised', value: alerts.raised },
      { label: 'alert ack presses', value: alertPresses.ack },
      { label: 'alerts acked', value: alerts.acked },
      { label: 'alert resolve presses', value: alertPresses.resolve },
      { label: 'alerts resolved', value: alerts.resolved },
    ];
    const passed = figures.slice(0, 5).every((f) => f.value === 0);
    return { figures, passed, details: [...verdict.wrong.slice(0, 20), ...alerts.details, ...lostActionReport(lostDetails, actionsLost, LOST_LINES_MAX)], notes: lostActionReport(platformFailedDetails, actionsFailedOnPlatform, LOST_LINES_MAX, PLATFORM_FAILED) };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        progress(`cleanup failed: ${String(err)}`);
      }
    }
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onRejection);
  }
}
