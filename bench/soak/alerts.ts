import type { AlertRuleInput } from '../../src/alerts/rules.ts';
import { ACTION_ID_VERSION } from '../../src/core/actions.ts';
import type { AlertMessage, AlertPress, FakePlatform, PendingAction } from './platform.ts';
import type { ScenarioStep } from './steps.ts';

/**
 * Hangup alerts in the soak: the rules the soak bot runs with, the steps that make abnormal hangups
 * and press Ack and Resolve at random, and the checks on what the platforms show (one message per
 * incident and conversation; a press done or refused).
 */


const ALERT_CODES = new Set(['aa', 'ar', 'as', 'ao']);

/** Reads an alert message from the ids of its buttons; undefined for any other message. */
export function readAlertButtons(id: string, conversation: string, buttonIds: readonly string[]): AlertMessage | undefined {
  let incident: string | undefined;
  let ackButton: string | undefined;
  let resolveButton: string | undefined;
  for (const b of buttonIds) {
    const [version, code, , , inc] = b.split('|');
    if (version !== ACTION_ID_VERSION || code === undefined || !ALERT_CODES.has(code) || inc === undefined) continue;
    incident = inc;
    if (code === 'aa') ackButton = b;
    if (code === 'ar') resolveButton = b;
  }
  return incident === undefined ? undefined : { id, conversation, incident, ackButton, resolveButton };
}

/**
 * Alert messages as a platform shows them over time. A resolved alert loses every button, so the
 * incident of a message is remembered from when it had some: the message then reads as resolved.
 */
export class AlertReader {
  private readonly incidents = new Map<string, { readonly conversation: string; readonly incident: string }>();
  readonly #retired = new Set<string>();

  /** The alert a message shows, given its button ids; undefined when it never was an alert. */
  read(id: string, conversation: string, buttonIds: readonly string[]): AlertMessage | undefined {
    const alert = readAlertButtons(id, conversation, buttonIds);
    if (alert !== undefined) {
      if (!this.incidents.has(id)) this.incidents.set(id, { conversation, incident: alert.incident });
      return alert;
    }
    const known = this.incidents.get(id);
    return known === undefined ? undefined : { id, ...known, ackButton: undefined, resolveButton: undefined };
  }

  /**
   * Resolved alerts whose message the fake platform has dropped (see `retire`), read as resolved:
   * the harness keeps the few bytes the checks need, not the message, so its heap stays flat.
   */
  retired(): AlertMessage[] {
    return [...this.#retired].flatMap((id) => this.read(id, '', []) ?? []);
  }

  /** `id` shows a resolved alert and its message is about to be dropped from the fake platform. */
  retire(id: string): boolean {
    if (!this.incidents.has(id) || this.#retired.has(id)) return false;
    this.#retired.add(id);
    return true;
  }

}

/** The three kinds of hangup alert the issue names, posted in each platform's first conversation. */
export function soakAlertRules(targets: { slack: string; discord: string }, vipRooms: string): AlertRuleInput[] {
  const to = [{ platform: 'slack' as const, channel: targets.slack }, { platform: 'discord' as const, channel: targets.discord }];
  return [
    // One abnormal hangup every few seconds: individual alerts, below the storm threshold.
    { id: 'abnormal', when: 'hangup', causes: ['abnormal'], targets: to, storm: { perMinute: 60, quietSec: 30 } },
    // Callers numbered …777 leaving the watched rooms: now and then.
    { id: 'vip', when: 'vip_left', rooms: vipRooms, vip: ['*777'], targets: to },
    // The last room empties many times a minute: a storm digest, edited as it grows.
    { id: 'emptied', when: 'room_emptied', rooms: '5049', targets: to },
  ];
}

/** Q.850 causes the alert engine calls abnormal (congestion, temporary failure, out of order, network). */
const ABNORMAL_CAUSES = [34, 41, 27, 38] as const;

export interface AlertWorld {
  readonly random: () => number;
  /** Hangs up a caller with `cause` in a room that keeps its floor; false when none could go. */
  hangupWith(cause: number): boolean;
  /** One Ack or Resolve press by a random user of a random platform on a random alert it applies to. */
  pressAlert(press: AlertPress): void;
}

export function alertSteps(world: () => AlertWorld, opts: { abnormalEveryMs: number; ackEveryMs: number; resolveEveryMs: number }): ScenarioStep[] {
  return [
    {
      name: 'abnormal hangup',
      everyMs: opts.abnormalEveryMs,
      run: () => {
        const w = world();
        w.hangupWith(ABNORMAL_CAUSES[Math.floor(w.random() * ABNORMAL_CAUSES.length)] ?? 34);
      },
    },
    { name: 'alert ack', everyMs: opts.ackEveryMs, run: () => world().pressAlert('ack') },
    // On-call staff resolve incidents too, so the alert engine's steady state holds resolved ones.
    { name: 'alert resolve', everyMs: opts.resolveEveryMs, run: () => world().pressAlert('resolve') },
  ];
}

/** Per platform and conversation, every incident should be in one message: the rest are duplicate posts. */
export function checkAlerts(platforms: readonly FakePlatform[]): { raised: number; acked: number; resolved: number; duplicates: number; details: string[] } {
  const raised = new Set<string>();
  const acked = new Set<string>();
  const resolved = new Set<string>();
  let duplicates = 0;
  const details: string[] = [];
  for (const p of platforms) {
    const seen = new Map<string, string>();
    for (const m of p.alertMessages()) {
      raised.add(m.incident);
      if (m.ackButton === undefined) acked.add(m.incident);
      if (m.resolveButton === undefined) resolved.add(m.incident);
      const key = `${m.conversation} ${m.incident}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, m.id);
        continue;
      }
      duplicates++;
      if (details.length < 20) details.push(`${p.name}: alert ${m.incident} posted twice in ${m.conversation} (${first}, ${m.id})`);
    }
  }
  return { raised: raised.size, acked: acked.size, resolved: resolved.size, duplicates, details };
}

/** An alert's button for a press, while the press still applies (Ack while open, Resolve until resolved). */
export function alertButton(message: AlertMessage, press: AlertPress): string | undefined {
  return press === 'ack' ? message.ackButton : message.resolveButton;
}

/** The Ack or Resolve press in flight: settled when the presser got an answer or the alert shows it done. */
export function alertAction(platform: FakePlatform, what: string, message: AlertMessage, press: AlertPress, answered: () => boolean): PendingAction {
  const shown = (): AlertMessage | undefined => platform.alertMessages().find((m) => m.id === message.id);
  return {
    what,
    issuedAt: performance.now(),
    settled: () => {
      if (answered()) return true;
      const now = shown();
      return now !== undefined && alertButton(now, press) === undefined;
    },
    lastSeen: () => {
      const now = shown();
      const state = now === undefined ? 'gone' : now.resolveButton === undefined ? 'resolved' : now.ackButton === undefined ? 'acked' : 'open';
      return `${answered() ? 'answered' : 'no answer'}; alert message ${message.id} ${state}`;
    },
  };
}
