import type { MessageRef } from '../core/adapter.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { AlertView } from '../core/views.ts';
import type { Room, RoomChange } from '../conference/types.ts';
import type { Logger } from '../log.ts';
import type { KeyValueStore } from '../store/types.ts';
import {
  EMPTY_ALERT_STATE, ack, nextDue, noteMuted, raise, raiseFor, recover, resolve, silence, tick,
  type AlertCounters, type AlertEffect, type AlertState, type AlertStep, type AuditKind, type Incident, type PressStep, type Rules,
} from './engine.ts';
import { attempt, type AttemptContext } from './attempt.ts';
import { incidentIdOf, type AlertOwnership } from './ownership.ts';
import { ALERT_STATE_KEY, decodeAlerts, encodeAlerts, type DeliveryRecord } from './persist.ts';
import type { ForwardedPress } from './presses.ts';
import { ruleTargets, type AlertTarget } from './rules.ts';
import { alertViewPrint } from './view.ts';
import { EMPTY_QUALITY_WATCH, onLineGone, onLineSample, resumeEpisodes, type LineSample, type QualityWatchState } from './quality-watch.ts';
import { EMPTY_SIGNAL_STATE, HANGUP_WAIT_MS, expectStop, onChange, onTick, type SignalState, type SignalStep } from './signals.ts';
import { AlertStateCorruptError } from './errors.ts';

/**
 * The alert engine's I/O: feeds conference changes in, runs its effects (post, edit, audit),
 * keeps its state in the store and wakes itself for escalations and storm ends.
 *
 * Delivery is at most once: a post is recorded as under way before it is sent and its message ref
 * after, so a crash in between leaves a record that is not sent again (the log says so). Edits of
 * one incident are coalesced, and an edit equal to the last one sent is skipped.
 */

export interface AlertDelivery {
  post(target: AlertTarget, view: AlertView): Promise<MessageRef>;
  update(ref: MessageRef, view: AlertView): Promise<void>;
}

export interface AlertServiceOptions {
  readonly clock: Clock;
  readonly kv: KeyValueStore;
  readonly log: Logger;
  readonly delivery: AlertDelivery;
  readonly render: (incident: Incident, now: number) => AlertView;
  readonly audit: (kind: AuditKind, incident: Incident, by: string | undefined) => void;
  readonly rules: () => Rules;
  readonly newId?: (dedupKey: string) => string;
  /**
   * Several replicas: only the owner delivers, audits, escalates and saves; the others keep the
   * same state from the same events, forward presses to the owner, and take over from the stored
   * state (absent: this process owns everything).
   */
  readonly ownership?: AlertOwnership;
  /** How often the owner takes presses forwarded by other replicas (default 1000 ms). */
  readonly pressPollMs?: number;
}

export class AlertService {
  private state: AlertState = EMPTY_ALERT_STATE;
  private signals: SignalState = EMPTY_SIGNAL_STATE;
  private lines: QualityWatchState = EMPTY_QUALITY_WATCH;
  private readonly deliveries = new Map<string, DeliveryRecord>();
  private readonly lastSent = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private readonly posts: { readonly incidentId: string; readonly targetIndex: number }[] = [];
  private working: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private timerAt: number | undefined;
  private saving: Promise<void> | undefined;
  private saveAgain = false;
  private stopped = false;
  private readonly newId: (dedupKey: string) => string;
  /** Posts a non-owner left to the owner: a replica taking over sends those the old owner did not. */
  private skipped: { readonly incidentId: string; readonly targetIndex: number }[] = [];
  /** Incidents whose messages a non-owner (or an owner cut off from Redis) left unedited. */
  private readonly skippedEdits = new Set<string>();
  private unsubscribeOwnership: (() => void) | undefined;
  private pressTimer: TimerHandle | undefined;
  private readonly attempts: AttemptContext;

  constructor(private readonly opts: AlertServiceOptions) {
    this.attempts = { clock: opts.clock, log: opts.log, stopped: () => this.stopped };
    this.newId = opts.newId ?? (opts.ownership !== undefined ? incidentIdOf
      : () => `${opts.clock.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`);
  }

  private owner(): boolean {
    return this.opts.ownership?.owns() ?? true;
  }

  /** Reads the stored state; escalations that fell due while the bot was down go out now. */
  async start(): Promise<void> {
    const text = await this.opts.kv.get(ALERT_STATE_KEY);
    if (text !== undefined) {
      const decoded = decodeAlerts(text);
      if (!decoded.ok) throw new AlertStateCorruptError(ALERT_STATE_KEY, decoded.problem);
      this.state = decoded.value.state;
      this.lines = resumeEpisodes(this.state.incidents.values());
      for (const d of decoded.value.deliveries) {
        this.deliveries.set(deliveryKey(d.incidentId, d.targetIndex), d);
        if (d.ref === undefined) this.opts.log.warn({ incident: d.incidentId, target: d.targetIndex }, 'an alert post was under way when the bot stopped; it is not sent again');
      }
    }
    this.run(tick(this.state, this.opts.rules(), this.opts.clock.now()));
    this.unsubscribeOwnership = this.opts.ownership?.onChange((owned) => { if (owned) void this.takeOver(); });
    if (this.opts.ownership !== undefined) this.pollPresses();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribeOwnership?.();
    if (this.pressTimer !== undefined) this.opts.clock.clearTimeout(this.pressTimer);
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.working;
    await this.flushSave();
  }

  /** One conference change; `before` is the room as it was before it. */
  observe(change: RoomChange, before: Room | undefined): void {
    if (this.stopped) return;
    if (change.type === 'left') this.lines = onLineGone(this.lines, change.pbx, change.participant.uniqueid);
    this.feed(onChange(this.signals, change, before, this.opts.clock.now()));
  }

  /** One participant's line quality from a sensor poll: poor-line rules raise and recover on it. */
  observeLine(sample: LineSample): void {
    if (this.stopped) return;
    const now = this.opts.clock.now();
    const step = onLineSample(this.lines, sample, this.opts.rules(), now);
    this.lines = step.state;
    for (const { rule, signal } of step.raises) this.run(raiseFor(this.state, rule, signal, now, this.newId));
    for (const r of step.recoveries) this.run(recover(this.state, r.ruleId, r.pbx, r.uniqueid, r.summary, now));
  }

  /** The bot is about to stop music or a stream itself: its end is no alert. */
  expectStop(pbx: string, room: string, kind: 'muzak' | 'stream'): void {
    this.signals = expectStop(this.signals, pbx, room, kind, this.opts.clock.now());
  }

  ack(id: string, by: string): PressStep {
    return this.press(ack(this.state, id, by, this.opts.clock.now()), { kind: 'ack', id, by });
  }

  resolve(id: string, by: string): PressStep {
    return this.press(resolve(this.state, id, by, this.opts.clock.now()), { kind: 'resolve', id, by });
  }

  silence(id: string, durationMs: number, by: string): PressStep {
    return this.press(silence(this.state, id, durationMs, by, this.opts.clock.now()), { kind: 'silence', id, by, durationMs });
  }

  /** The incident's participant was muted from its Mute button. */
  noteMuted(id: string, by: string): void {
    this.run(noteMuted(this.state, id, by, this.opts.clock.now()));
  }

  incident(id: string): Incident | undefined {
    return this.state.incidents.get(id);
  }

  incidents(): readonly Incident[] {
    return [...this.state.incidents.values()];
  }

  counters(): AlertCounters {
    return this.state.counters;
  }

  /** Resolves when every queued post and edit has been tried and the state is saved. */
  async settled(): Promise<void> {
    while (this.working !== undefined || this.saving !== undefined) {
      await this.working;
      await this.saving;
    }
  }

  private press(step: PressStep, forward?: ForwardedPress): PressStep {
    this.run(step);
    if (forward !== undefined && step.outcome === 'done' && this.opts.ownership !== undefined && !this.owner()) {
      this.opts.ownership.forward(forward).catch((err: unknown) => this.opts.log.error({ err }, 'could not forward a press to the alert owner'));
    }
    return step;
  }

  /** Won the incidents: the stored state's deliveries, and the posts the old owner never sent. */
  private async takeOver(): Promise<void> {
    if (this.stopped) return;
    const text = await this.opts.kv.get(ALERT_STATE_KEY).catch(() => undefined);
    const decoded = text === undefined ? undefined : decodeAlerts(text);
    if (decoded?.ok === true) {
      const incidents = new Map([...this.state.incidents, ...decoded.value.state.incidents]);
      this.state = { ...this.state, incidents, silences: decoded.value.state.silences };
      for (const d of decoded.value.deliveries) this.deliveries.set(deliveryKey(d.incidentId, d.targetIndex), d);
    }
    this.opts.log.info({ incidents: this.state.incidents.size, posts: this.skipped.length }, 'owning the alert incidents');
    this.catchUp();
    await this.applyPresses();
    this.run(tick(this.state, this.opts.rules(), this.opts.clock.now()));
  }

  private pollPresses(): void {
    if (this.stopped) return;
    this.pressTimer = this.opts.clock.setTimeout(() => {
      this.catchUp();
      void this.applyPresses().finally(() => this.pollPresses());
    }, this.opts.pressPollMs ?? 1000);
    (this.pressTimer as { unref?: () => void }).unref?.();
  }

  /**
   * Sends what was left while this replica could not prove it owned the incidents (another owned
   * them, or Redis was unreachable): posts are claimed, so none goes out twice. A non-owner only
   * forgets what concerns incidents that are gone.
   */
  private catchUp(): void {
    this.skipped = this.skipped.filter((p) => this.state.incidents.has(p.incidentId));
    for (const id of this.skippedEdits) if (!this.state.incidents.has(id)) this.skippedEdits.delete(id);
    if (!this.owner() || (this.skipped.length === 0 && this.skippedEdits.size === 0)) return;
    this.posts.push(...this.skipped.splice(0));
    for (const id of this.skippedEdits) this.dirty.add(id);
    this.skippedEdits.clear();
    this.work();
  }

  private async applyPresses(): Promise<void> {
    if (this.opts.ownership === undefined || !this.owner()) return;
    const presses = await this.opts.ownership.takeForwarded().catch((err: unknown) => {
      this.opts.log.debug({ err }, 'could not read forwarded presses');
      return [];
    });
    for (const p of presses) {
      if (p.kind === 'ack') this.ack(p.id, p.by);
      else if (p.kind === 'resolve') this.resolve(p.id, p.by);
      else this.silence(p.id, p.durationMs ?? 0, p.by);
    }
  }

  private feed(step: SignalStep): void {
    this.signals = step.state;
    const now = this.opts.clock.now();
    for (const signal of step.signals) this.run(raise(this.state, signal, this.opts.rules(), now, this.newId));
    this.schedule();
  }

  private run(step: AlertStep): void {
    const changed = step.state !== this.state;
    const before = this.state.incidents.size;
    this.state = step.state;
    // Incidents leave the state 24 h after they are resolved; so do the records of their messages.
    if (this.state.incidents.size < before) for (const [key, d] of this.deliveries) if (!this.state.incidents.has(d.incidentId)) { this.deliveries.delete(key); this.lastSent.delete(key); }
    for (const effect of step.effects) this.apply(effect);
    if (changed || step.effects.length > 0) this.save();
    this.schedule();
    this.work();
  }

  private apply(effect: AlertEffect): void {
    const inc = this.state.incidents.get(effect.incidentId);
    if (inc === undefined) return;
    if (!this.owner()) {
      if (effect.type === 'post') this.skipped.push({ incidentId: effect.incidentId, targetIndex: effect.targetIndex });
      if (effect.type === 'update') this.skippedEdits.add(effect.incidentId);
      return;
    }
    switch (effect.type) {
      case 'post':
        this.posts.push({ incidentId: effect.incidentId, targetIndex: effect.targetIndex });
        break;
      case 'update':
        this.dirty.add(effect.incidentId);
        break;
      case 'audit':
        this.opts.audit(effect.kind, inc, effect.by);
        break;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const pendingLeave = Math.min(...[...this.signals.pending.values()].map((p) => p.at + HANGUP_WAIT_MS));
    const due = Math.min(nextDue(this.state, this.opts.rules()) ?? Infinity, pendingLeave);
    if (!Number.isFinite(due) || due === this.timerAt) return;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      const now = this.opts.clock.now();
      this.feed(onTick(this.signals, now));
      this.run(tick(this.state, this.opts.rules(), now));
    }, Math.max(0, due - this.opts.clock.now()));
  }

  private work(): void {
    if (this.working !== undefined) return;
    this.working = this.drain().finally(() => {
      this.working = undefined;
      // Work queued after drain() saw empty queues but before this callback ran.
      if (this.posts.length > 0 || this.dirty.size > 0) this.work();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const post = this.posts.shift();
      if (post !== undefined) {
        await this.post(post.incidentId, post.targetIndex);
        continue;
      }
      const id = this.dirty.values().next().value;
      if (id === undefined) return;
      this.dirty.delete(id);
      await this.edit(id);
    }
  }

  private async post(incidentId: string, targetIndex: number): Promise<void> {
    const key = deliveryKey(incidentId, targetIndex);
    const inc = this.state.incidents.get(incidentId);
    const rule = inc === undefined ? undefined : this.opts.rules().get(inc.ruleId);
    const target = rule === undefined ? undefined : ruleTargets(rule)[targetIndex];
    if (inc === undefined || target === undefined || this.deliveries.has(key)) return;
    if (this.opts.ownership !== undefined && !(await this.claimed(key, incidentId, targetIndex))) return;
    this.deliveries.set(key, { incidentId, targetIndex, ref: undefined });
    await this.flushSave();
    const view = withMention(this.opts.render(inc, this.opts.clock.now()), target.mention);
    const ref = await attempt(this.attempts, `post alert ${incidentId} to ${target.platform}:${target.channel ?? target.user ?? ''}`, () => this.opts.delivery.post(target, view));
    if (ref === undefined) return;
    this.deliveries.set(key, { incidentId, targetIndex, ref });
    this.lastSent.set(key, alertViewPrint(view));
    this.save();
    // The incident may have changed (acked, folded) while its first post was on the way.
    const now = withMention(this.opts.render(this.state.incidents.get(incidentId) ?? inc, this.opts.clock.now()), target.mention);
    if (alertViewPrint(now) !== this.lastSent.get(key)) this.dirty.add(incidentId);
  }

  /** Whether this replica may send this post: claimed here first. Unreachable Redis: tried again later. */
  private async claimed(key: string, incidentId: string, targetIndex: number): Promise<boolean> {
    try {
      if (await this.opts.ownership?.claim(key) !== false) return true;
      this.opts.log.info({ incident: incidentId, target: targetIndex }, 'alert post already claimed by another replica; not sent again');
    } catch (err) {
      this.opts.log.debug({ err, incident: incidentId }, 'could not claim an alert post; trying again');
      this.skipped.push({ incidentId, targetIndex });
    }
    return false;
  }

  private async edit(incidentId: string): Promise<void> {
    const inc = this.state.incidents.get(incidentId);
    if (inc === undefined) return;
    const rendered = this.opts.render(inc, this.opts.clock.now());
    const rule = this.opts.rules().get(inc.ruleId);
    const targets = rule === undefined ? [] : ruleTargets(rule);
    for (const [key, d] of this.deliveries) {
      if (d.incidentId !== incidentId || d.ref === undefined) continue;
      // Edits keep the mention the post had, so the message reads the same; editing pings nobody again.
      const view = withMention(rendered, targets[d.targetIndex]?.mention);
      const text = alertViewPrint(view);
      if (this.lastSent.get(key) === text) continue;
      const ref = d.ref;
      const done = await attempt(this.attempts, `edit alert ${incidentId}`, async () => { await this.opts.delivery.update(ref, view); return true; });
      if (done === true) this.lastSent.set(key, text);
    }
  }

  private save(): void {
    // The stored state is the owner's: another replica's copy must not overwrite it.
    if (!this.owner()) return;
    if (this.saving !== undefined) {
      this.saveAgain = true;
      return;
    }
    this.saving = this.writeState().finally(() => {
      this.saving = undefined;
      if (this.saveAgain) {
        this.saveAgain = false;
        this.save();
      }
    });
  }

  private async flushSave(): Promise<void> {
    this.save();
    while (this.saving !== undefined) await this.saving;
  }

  private async writeState(): Promise<void> {
    try {
      await this.opts.kv.set(ALERT_STATE_KEY, encodeAlerts({ state: this.state, deliveries: [...this.deliveries.values()] }));
    } catch (err) {
      this.opts.log.error({ err }, 'could not save the alert state');
    }
  }
}

function withMention(view: AlertView, mention: string | undefined): AlertView {
  return mention === undefined ? view : { ...view, mention };
}

function deliveryKey(incidentId: string, targetIndex: number): string {
  return `${incidentId}#${targetIndex}`;
}
