import type { ConferenceDirectory } from '../conference/backend.ts';
import type { ChatAdapter } from '../core/adapter.ts';
import { PlatformError } from '../core/adapter-errors.ts';
import type { AlertControl } from '../core/alert-control.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Actor } from '../kernel/chat.ts';
import type { Coordination } from '../kernel/coordination.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { alertControl, AlertRules } from './control.ts';
import type { AlertCounters, AuditKind, Incident } from './engine.ts';
import { feedAlerts } from './feed.ts';
import { alertOwnership, followLinks } from './ownership.ts';
import { feedLineQuality, type LineQualityFeed, type QualityFeedHandle } from './quality-feed.ts';
import type { AlertRule } from './rules.ts';
import { AlertService, type AlertDelivery } from './service.ts';
import { headline } from './text.ts';
import { alertView } from './view.ts';

/**
 * Alerts, put together: the rules (config and chat), the engine's I/O, the feed from every PBX,
 * the line-quality feed from the sensors, and delivery through the chat adapters by platform name.
 */

export interface RunningAlerts {
  readonly control: AlertControl;
  counters(): AlertCounters;
  stop(): Promise<void>;
}

export interface StartAlertsOptions {
  readonly configRules: readonly AlertRule[];
  readonly store: Store;
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  readonly directory: ConferenceDirectory;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Told of every alert event (metrics). */
  readonly onEvent?: (kind: AuditKind) => void;
  /** Several replicas: the incidents' owner is the holder of the `alerts` lease (ownership.ts). */
  readonly coordination?: Coordination;
  /** Whether every AMI link of this replica is up: a replica cut off from a PBX hands the alerts lease on. */
  readonly linksUp?: () => boolean;
  /** The sensors' line quality (the quality monitor), for poor-line rules; without it those rules never fire. */
  readonly quality?: LineQualityFeed;
  /** How often the figures are read: the quality poll interval (default 5 s). */
  readonly qualityEveryMs?: number;
}

const BOT_ACTOR = { platform: 'bot', userId: 'alerts', displayName: 'alerts' } as const;

export async function startAlerts(opts: StartAlertsOptions): Promise<RunningAlerts> {
  const clock = opts.clock ?? systemClock;
  const coordination = opts.coordination;
  const log = opts.logger.child({ component: 'alerts' });
  const audit = (command: string, at: number, who: Pick<Actor, 'platform' | 'userId' | 'displayName'>, place: { pbx?: string; room?: string }, target: string | undefined, detail: string | undefined): void => {
    opts.store.audit.append({
      at, correlationId: `alert-${at.toString(36)}`, actor: who, command,
      pbx: place.pbx, room: place.room, target, decision: 'allowed', outcome: 'ok', detail,
    }).catch((err: unknown) => log.warn({ err }, 'could not write an alert audit record'));
  };
  let qualityFeed: QualityFeedHandle | undefined;
  const rules = new AlertRules({
    configRules: opts.configRules, kv: opts.store.kv, clock, log,
    audit: (what, rule, by) => audit(what, clock.now(), by, {}, rule, undefined),
    onChange: () => qualityFeed?.sync(),
  });
  await rules.load();
  const delivery: AlertDelivery = {
    async post(target, view) {
      const adapter = opts.adapters.get(target.platform);
      if (adapter === undefined) throw new PlatformError(target.platform, `no ${target.platform} adapter runs for this alert target`, false);
      if (target.user !== undefined && adapter.postDirect !== undefined) return adapter.postDirect(target.user, view);
      return adapter.post({ platform: target.platform, id: target.channel ?? target.user ?? '' }, view);
    },
    async update(ref, view) {
      const adapter = opts.adapters.get(ref.platform);
      if (adapter === undefined) throw new PlatformError(ref.platform, `no ${ref.platform} adapter runs to edit this alert`, false);
      await adapter.update(ref, view);
    },
  };
  const service = new AlertService({
    clock, kv: opts.store.kv, log, delivery,
    render: (inc: Incident, now: number) => alertView(inc, rules.rule(inc.ruleId), now),
    rules: () => rules.effective(),
    ...(coordination === undefined ? {} : { ownership: alertOwnership(coordination) }),
    audit: (kind, inc, by) => {
      opts.onEvent?.(kind);
      // A person's ack, resolve or silence is audited by the core with the whole actor, as any press.
      if (by !== undefined) return;
      audit(kind, clock.now(), BOT_ACTOR, { pbx: inc.first.pbx, room: inc.first.room }, headline(inc.first), `rule ${inc.ruleId}, incident ${inc.id}`);
    },
  });
  await service.start();
  const stopFollowing = coordination === undefined || opts.linksUp === undefined ? undefined : followLinks(coordination, { clock, linksUp: opts.linksUp });
  const unsubscribe = feedAlerts(opts.directory, service);
  if (opts.quality !== undefined) {
    qualityFeed = feedLineQuality({
      feed: opts.quality, directory: opts.directory, service, wanted: () => rules.watchesQuality(), clock, everyMs: opts.qualityEveryMs ?? 5_000,
    });
  }
  return {
    control: alertControl(rules, service),
    counters: () => service.counters(),
    async stop() {
      unsubscribe();
      stopFollowing?.();
      qualityFeed?.stop();
      await service.stop();
    },
  };
}
