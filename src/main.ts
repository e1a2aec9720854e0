import type { DiscordAdapter } from '../adapters/discord/index.ts';
import { createShellAdapter, type ShellAdapter } from '../adapters/shell/index.ts';
import { summarizeConfig } from './config-summary.ts';
import { ConfigError, type Config, type PbxConfig, type SensorConfig } from './config.ts';
import { createPbxConnection, type PbxConnection } from './conference/pbx.ts';
import { ConferenceRegistry } from './conference/directory.ts';
import type { ChatAdapter } from './core/adapter.ts';
import { startAlerts } from './alerts/start.ts';
import { BotMetrics } from './ops/metrics.ts';
import { observeHub } from './ops/listen-metrics.ts';
import { countAlert, countStatusEdit, observeLinks } from './ops/observe.ts';
import { readinessChecks } from './ops/readiness.ts';
import { SensorContacts } from './ops/sensors.ts';
import { instrumentStore } from './ops/store-metrics.ts';
import type { ReadinessCheck } from './ops/server.ts';
import { Bot } from './core/bot.ts';
import { homeView } from './core/home.ts';
import { Policy } from './core/policy.ts';
import { StatusService } from './core/status.ts';
import { StatusOwnership } from './core/status-ownership.ts';
import { systemClock } from './kernel/clock.ts';
import { leadershipOf, type Coordination } from './kernel/coordination.ts';
import { createAudioHub } from './listen/hub.ts';
import { LinkSigner, loadOrCreateSigningKey } from './listen/links.ts';
import { startListenServer, type ListenServer } from './listen/server.ts';
import { createListenService } from './listen/service.ts';
import { createLogger, type Logger } from './log.ts';
import { sensorCallWatches, startLineQuality } from './quality/start.ts';
import { SensorClient } from './sensor/client.ts';
import { startDemo, type DemoHandle } from './sim/pbx/demo.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from './sim/pbx/index.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from './sim/sensor/server.ts';
import { describeBanner } from './startup/banner.ts';
import { EMBEDDED_PBX_USER, embeddedPbxConfig, embeddedSensorConfig } from './startup/embedded.ts';
import { adapterStartFailure, listenFailure, preflight } from './startup/preflight.ts';
import { StoredSigningKeyCorruptError } from './startup/errors.ts';
import { openStore, storeLocation, storeOptionsFor } from './store/index.ts';
import { storeReadiness } from './store/readiness.ts';
import { coordinationFor } from './store/redis-coordination.ts';
import type { Store } from './store/types.ts';

/**
 * Composition root: config → store → PBX links → sensors → core → adapters → http.
 * Everything here is wiring; behaviour lives in the modules it connects.
 */

export interface RunningBot {
  readonly config: Config;
  readonly store: Store;
  readonly registry: ConferenceRegistry;
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  readonly shell: ShellAdapter | undefined;
  readonly embeddedPbx: EmbeddedPbx | undefined;
  readonly embeddedSensor: EmbeddedSensor | undefined;
  readonly listenServer: ListenServer | undefined;
  /** What runs, where, and how to point the bot elsewhere. */
  readonly banner: string;
  readonly metrics: BotMetrics;
  /** Who owns what among replicas; `coordination.healthy()` is false while no ownership can be proven (Redis down). */
  readonly coordination: Coordination;
  /** Each PBX, sensor, chat adapter and the store, for /readyz. */
  readiness(): ReadinessCheck[];
  stop(): Promise<void>;
}

export interface StartBotOptions {
  readonly logger?: Logger;
  /** Streams for the shell adapter (default: process stdin/stdout). */
  readonly shellInput?: NodeJS.ReadableStream;
  readonly shellOutput?: NodeJS.WritableStream;
  /** Run the demo script on the embedded PBX (default: config.embedded.demo). */
  readonly demo?: boolean;
  /** Where metrics go (the CLI's carries process metrics too); default a registry of this bot's own. */
  readonly metrics?: BotMetrics;
  /** Whether a person sits at the terminal (default: stdin is a TTY); picks the default adapters. */
  readonly interactive?: boolean;
}

/**
 * Without an explicit `adapters` list: Slack and Discord when they are configured, plus the shell when someone is at
 * the terminal. A service (systemd, a container) has no terminal, so it runs the chat platforms alone; with no chat
 * platform configured at all the shell always runs, as the embedded demo's console.
 */
export function defaultAdapters(config: Config, interactive: boolean): ('shell' | 'slack' | 'discord')[] {
  const chat = [...(config.slack ? ['slack' as const] : []), ...(config.discord ? ['discord' as const] : [])];
  if (chat.length === 0) return ['shell'];
  return interactive ? ['shell', ...chat] : chat;
}

/** Replicas: only the holder of this lease keeps a Discord gateway session (adapters/discord). */
const DISCORD_GATEWAY_LEASE = 'discord-gateway';

/** LinkSigner's minimum: HMAC-SHA256 keys shorter than its output weaken it. */
const MIN_SIGNING_KEY_BYTES = 32;

export async function startBot(config: Config, options: StartBotOptions = {}): Promise<RunningBot> {
  const log = options.logger ?? createLogger({ level: config.logLevel });
  const mainLog = log;
  const stops: (() => Promise<void> | void)[] = [];

  const [problem] = await preflight(config);
  if (problem) throw problem;
  const metrics = options.metrics ?? new BotMetrics({ processMetrics: false });
  const rawStore = await openStore(storeOptionsFor(config, { logger: log.child({ component: 'store' }) }));
  const store = instrumentStore(rawStore, metrics);
  stops.push(() => store.close());
  const { coordination, replicated, stop: stopCoordination } = coordinationFor(rawStore, { clock: systemClock, logger: log, ttlMs: config.store.leaseTtlMs });
  stops.push(stopCoordination);

  try {
    const runEmbeddedPbx = config.embedded.pbx ?? config.pbxs.length === 0;
    let embeddedPbx: EmbeddedPbx | undefined;
    let demo: DemoHandle | undefined;
    const pbxConfigs: PbxConfig[] = [...config.pbxs];
    if (runEmbeddedPbx) {
      embeddedPbx = await startEmbeddedPbx({
        dialect: config.embedded.dialect,
        users: [EMBEDDED_PBX_USER],
        lobbies: { '200': { type: 'moh', context: 'lobby', exten: '200' } },
        logger: log,
      });
      const started = embeddedPbx;
      stops.push(() => started.stop());
      if (options.demo ?? config.embedded.demo) {
        demo = startDemo(embeddedPbx, { rooms: ['200', '201'] });
        const d = demo;
        stops.push(() => d.stop());
      }
      pbxConfigs.push(embeddedPbxConfig(embeddedPbx));
    }

    const connections: PbxConnection[] = pbxConfigs.map((p) => createPbxConnection(p, { logger: log, memory: store.kv }));
    const registry = new ConferenceRegistry(connections, { logger: log });
    observeLinks(metrics, connections);
    const failures = await registry.start();
    for (const f of failures) mainLog.warn({ pbx: f.pbx, err: f.error }, 'PBX not reachable yet; retrying in the background');
    stops.push(() => registry.stop());

    if (config.embedded.sensor === true && embeddedPbx === undefined) {
      mainLog.warn('embedded.sensor is set but the embedded PBX is off: the embedded sensor only lists the embedded PBX\'s calls, so it does not run');
    }
    const runEmbeddedSensor = config.listen.enabled && (config.embedded.sensor ?? (config.sensors.length === 0 && embeddedPbx !== undefined));
    let embeddedSensor: EmbeddedSensor | undefined;
    const sensorConfigs: SensorConfig[] = [...config.sensors];
    if (runEmbeddedSensor && embeddedPbx) {
      embeddedSensor = await startEmbeddedSensor({ calls: embeddedPbx, logger: log });
      const s = embeddedSensor;
      stops.push(() => s.stop());
      sensorConfigs.push(embeddedSensorConfig(embeddedSensor));
    }
    const sensorContacts = new SensorContacts(metrics);
    const sensors = sensorConfigs.map((s, index) => new SensorClient(s, { logger: log, index, onExchange: sensorContacts.record }));
    const callWatches = sensorCallWatches(sensors, log);
    // Probe each sensor once in the background: a missing or wrong AES key shows in the log at boot,
    // not on a user's first `calls`. `getversion` works even unencrypted.
    for (const sensor of sensors) {
      sensor.getVersion().then(
        (version) => mainLog.info({ sensor: sensor.id, version }, 'sensor reachable'),
        (err: unknown) => mainLog.warn({ sensor: sensor.id, err }, 'sensor not usable yet'),
      );
    }

    let listenServer: ListenServer | undefined;
    let listenService: ReturnType<typeof createListenService> | undefined;
    if (config.listen.enabled && sensors.length > 0) {
      const key = await loadOrCreateSigningKey(config.listen.signingKey, store.kv, log);
      // A configured key is checked by the schema; a short one here came from the store file.
      if (config.listen.signingKey === undefined && key.length < MIN_SIGNING_KEY_BYTES) {
        throw new StoredSigningKeyCorruptError(storeLocation(config), key.length);
      }
      const signer = new LinkSigner(key);
      const hub = observeHub(metrics, createAudioHub({ sensors, pollMs: config.listen.pollMs, logger: log, callWatches }));
      stops.push(() => hub.close());
      listenServer = await startListenServer({
        host: config.listen.host,
        port: config.listen.port,
        signer,
        hub,
        sensors,
        logger: log,
        audit: store.audit,
        singleUse: config.listen.singleUse,
        kv: store.kv,
        ...(config.listen.publicBaseUrl === undefined ? {} : { publicBaseUrl: config.listen.publicBaseUrl }),
        allowedOrigins: config.listen.allowedOrigins,
      }).catch((err: unknown) => {
        throw listenFailure(config, err);
      });
      const server = listenServer;
      stops.push(() => server.close());
      listenService = createListenService({
        directory: registry,
        sensors,
        signer,
        publicBaseUrl: config.listen.publicBaseUrl ?? server.url,
        linkTtlSec: config.listen.linkTtlSec,
        logger: log,
      });
    }

    if (listenServer && config.listen.publicBaseUrl === undefined && config.slack !== undefined) {
      mainLog.warn(
        { listenUrl: listenServer.url },
        'listen links point at the local player address; set LISTEN_PUBLIC_URL (listen.publicBaseUrl) to the URL your Slack users can open',
      );
    }

    const adapterNames = config.adapters ?? defaultAdapters(config, options.interactive ?? process.stdin.isTTY === true);
    const adapters = new Map<string, ChatAdapter>();
    let shell: ShellAdapter | undefined;
    if (adapterNames.includes('shell')) {
      shell = createShellAdapter({
        input: options.shellInput ?? process.stdin,
        output: options.shellOutput ?? process.stdout,
        color: (options.shellOutput ?? process.stdout) === process.stdout && process.stdout.isTTY === true,
      });
      adapters.set(shell.name, shell);
    }
    if (adapterNames.includes('slack')) {
      if (!config.slack) throw new ConfigError(['adapters (env MEETME_ADAPTERS): slack is listed but Slack is not configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN']);
      // Loaded on demand: a run without Slack never loads Bolt.
      const { createSlackAdapter } = await import('../adapters/slack/index.ts');
      const homePolicy = new Policy({ grants: config.roles });
      const slack = createSlackAdapter(config.slack, {
        logger: log,
        home: (actor) => homeView(actor, { policy: homePolicy, directory: registry }),
        ...(config.slack.httpHost ? { httpHost: config.slack.httpHost } : {}),
      });
      adapters.set(slack.name, slack);
    }
    let discord: DiscordAdapter | undefined;
    if (adapterNames.includes('discord')) {
      if (!config.discord) throw new ConfigError(['adapters: discord is listed but discord is not configured (set DISCORD_TOKEN and DISCORD_APPLICATION_ID)']);
      // Loaded on demand: a run without Discord never loads discord.js.
      const { createCompleter, createDiscordAdapter } = await import('../adapters/discord/index.ts');
      const complete = createCompleter({ directory: registry, grants: config.roles });
      discord = createDiscordAdapter(config.discord, {
        logger: log, complete, ...(!replicated ? {} : { gatewayLeader: leadershipOf(coordination, DISCORD_GATEWAY_LEASE) }),
      });
      adapters.set(discord.name, discord);
    }

    const quality = startLineQuality({ callWatches, directory: registry, pollIntervalSec: config.quality.pollIntervalSec, logger: log });
    const ownership = !replicated ? undefined : new StatusOwnership({ coordination, store, clock: systemClock, logger: log, linkUp: (pbx) => !registry.pbxIds().includes(pbx) || registry.backend(pbx).state().available });
    const status = new StatusService({
      directory: registry,
      adapters,
      store,
      logger: log,
      keepEndedSec: config.status.keepEndedSec,
      onEdit: countStatusEdit(metrics),
      render: quality.render,
      ...(ownership === undefined ? {} : { ownership }),
      lineMarks: (listener) => quality.monitor.subscribe((r) => listener(r.pbx, r.room, {
        uniqueid: r.uniqueid, label: r.label, mark: r.mark, mos: r.line.mos, since: r.poorSince ?? r.since,
      })),
    });
    // A status message Discord re-posted (30046) is stored under its new ref, so a restart edits that one.
    discord?.onMessageReplaced((previous, next) => status.replaceRef(previous, next));

    const alerts = await startAlerts({
      configRules: config.alerts.rules, store, adapters, directory: registry, logger: log, onEvent: (kind) => countAlert(metrics, kind),
      ...(!replicated ? {} : { coordination, linksUp: () => registry.pbxIds().every((id) => registry.backend(id).state().available) }),
      quality: quality.monitor, qualityEveryMs: config.quality.pollIntervalSec * 1000,
    });
    stops.push(() => alerts.stop());

    // Whoever sits at the terminal already has the config and the process: the shell user is admin.
    const localAdmin = shell?.localUser;
    const bot = new Bot({
      directory: registry,
      grants: config.roles,
      ...(localAdmin ? { localAdmin } : {}),
      audit: store.audit,
      watch: status,
      alerts: alerts.control,
      ...(listenService ? { listen: listenService } : {}),
      ...(sensors.length > 0 ? { quality: quality.service } : {}),
      // Read at each `config`, so availability and the detected dialect are current.
      configSummary: () => summarizeConfig(config, {
        pbxs: pbxConfigs,
        sensors: sensorConfigs,
        pbxState: (id) => (registry.pbxIds().includes(id) ? registry.backend(id).state() : undefined),
        adapters: [...adapters.keys()],
        playerUrl: listenServer?.url,
      }),
      logger: log,
    });

    const banner = describeBanner({
      config,
      embeddedPbx,
      embeddedSensor,
      listenServer,
      adapters: [...adapters.keys()],
      pbxs: pbxConfigs,
      sensors: sensorConfigs,
      localAdmin: localAdmin !== undefined,
    });
    // The banner goes out before the shell's first prompt so the two never interleave.
    if (shell) (options.shellOutput ?? process.stdout).write(`${banner}\n`);

    for (const adapter of adapters.values()) {
      await adapter.start(bot.handlersFor(adapter)).catch((err: unknown) => {
        throw adapterStartFailure(adapter.name, err);
      });
      stops.push(() => adapter.stop());
    }
    await status.start();
    stops.push(() => status.stop());
    quality.attach(status);
    stops.push(() => quality.stop());
    if (ownership !== undefined) {
      ownership.start({ resume: (records) => status.resume(records), unwatch: (r) => status.unwatch(r.pbx, r.room, r.conversation) });
      stops.push(() => ownership.stop());
    }

    mainLog.info({ adapters: [...adapters.keys()], pbxs: pbxConfigs.map((p) => p.id), sensors: sensorConfigs.map((s) => s.id) }, 'meetme-bot started');

    let stopped = false;
    return {
      config, store, registry, adapters, shell, embeddedPbx, embeddedSensor, listenServer, banner, metrics, coordination,
      readiness: () => [
        ...readinessChecks({ directory: registry, adapters, store: rawStore, sensors, sensorContacts, requireSensors: config.ops.requireSensors }),
        ...storeReadiness(rawStore),
      ],
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const stop of stops.reverse()) {
          try {
            await stop();
          } catch (err) {
            mainLog.warn({ err }, 'error while stopping');
          }
        }
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    throw err;
  }
}

/**
 * Logs a promise rejection nobody handled and keeps the process serving. Node 20 would otherwise
 * exit, and one SDK-internal rejection (a Socket Mode reconnect the SDK gave up on) must not take
 * down every chat platform and PBX link with it.
 */
export function logUnhandledRejections(target: Pick<NodeJS.Process, 'on'>, log: Logger): void {
  const mainLog = log.child({ component: 'main' });
  target.on('unhandledRejection', (reason: unknown) => {
    mainLog.error({ detail: reason instanceof Error ? reason.message : String(reason) }, 'unhandled promise rejection; still serving');
  });
}
