import { hangup, originateAsync, type OriginateParams } from '../ami/actions.ts';
import type { PbxConfig } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import type { InviteProgress } from './backend.ts';
import { channelMatchesTarget } from './channel.ts';
import { ActionRefusedError, BadInputError } from './errors.ts';
import { setInjection, type InjectionKind } from './model.ts';
import type { ManagedLink, PbxFeed } from './pbx-link.ts';
import type { RoomOps } from './pbx-rooms.ts';
import { fillTemplate } from './template.ts';
import type { RoomChange } from './types.ts';

/**
 * Originate-based injection: muzak and stream (a channel the bot dials into the room and flags on
 * it) and invite (a callee dialled into the room). Every template value is checked so it cannot
 * change the address it goes into.
 */

const DIAL_NUMBER = /^\+?[0-9*#]{1,32}$/;

type OriginateTemplate = NonNullable<PbxConfig['muzak']>;

export interface InjectionDeps {
  readonly pbx: string;
  readonly config: PbxConfig;
  readonly link: ManagedLink;
  readonly clock: Clock;
  readonly feed: PbxFeed;
  readonly rooms: RoomOps;
  /** How long an answered invite may take to appear in the room. */
  readonly inviteJoinWaitMs: number;
}

function originateParams(template: OriginateTemplate, values: Readonly<Record<string, string>>): OriginateParams {
  return {
    channel: fillTemplate(template.channel, values), context: fillTemplate(template.context, values),
    exten: fillTemplate(template.exten, values), priority: template.priority,
    // The dial timeout also sets how long the bot waits for OriginateResponse (see AmiClient.originateAsync).
    timeoutMs: template.timeoutMs,
    ...(template.callerId === undefined ? {} : { callerId: fillTemplate(template.callerId, values) }),
  };
}

export class Injections {
  constructor(private readonly d: InjectionDeps) {}

  /** The bot's own muzak/stream channel, told by its originate target (for one the bot no longer holds as pending). */
  injectionByTarget(room: string, channel: string): InjectionKind | undefined {
    for (const kind of ['muzak', 'stream'] as const) {
      const template = this.d.config[kind];
      if (template === undefined) continue;
      let target: string;
      try {
        target = fillTemplate(template.channel, { room });
      } catch {
        continue;
      }
      if (channelMatchesTarget(channel, target)) return kind;
    }
    return undefined;
  }

  /** Muzak and streaming: originate the configured channel into the room; off hangs it up. */
  async inject(room: string, kind: InjectionKind, on: boolean): Promise<void> {
    const { feed, rooms, pbx } = this.d;
    const r = rooms.heldRoom(room);
    const template = this.d.config[kind];
    if (template === undefined) {
      throw new ActionRefusedError(`${kind === 'muzak' ? 'Music' : 'Streaming'} is not set up for PBX ${pbx}; an admin must configure it.`, {
        adminHint: `Set pbxs[].${kind} for PBX ${pbx} in the config.`,
      });
    }
    rooms.calls.requireUp();
    const current = r[kind];
    if (!on) {
      if (current === undefined) return;
      if (current.uniqueid === undefined) throw new ActionRefusedError(`The ${kind} channel of room ${room} is still starting; try again in a moment.`);
      await rooms.calls.effect(room, `stop ${kind}`, () => hangup(this.d.link, current.channel));
      return;
    }
    if (current !== undefined) return;
    const params = originateParams(template, { room });
    // Flagged (and announced) before the originate: the join may come before its answer, or after.
    feed.commit(setInjection(feed.state, room, kind, { channel: params.channel, uniqueid: undefined, since: this.d.clock.now() }));
    let result;
    try {
      result = await rooms.calls.effect(room, `start ${kind}`, () => originateAsync(this.d.link, params));
    } catch (err) {
      this.clearPending(room, kind);
      throw err;
    }
    if (!result.success) {
      this.clearPending(room, kind);
      throw new ActionRefusedError(`The ${kind} channel for room ${room} did not start (${result.reasonText}).`, { detail: `originate ${params.channel}: reason ${result.reason}` });
    }
    const held = feed.state.rooms.get(room)?.[kind];
    if (held !== undefined && held.uniqueid === undefined) {
      feed.commit(setInjection(feed.state, room, kind, { ...held, uniqueid: result.uniqueid, channel: result.channel || held.channel }));
    }
  }

  private clearPending(room: string, kind: InjectionKind): void {
    const { feed } = this.d;
    if (feed.state.rooms.get(room)?.[kind]?.uniqueid === undefined) feed.commit(setInjection(feed.state, room, kind, undefined));
  }

  async invite(room: string, number: string, onProgress?: (p: InviteProgress) => void): Promise<InviteProgress> {
    const { rooms, pbx } = this.d;
    rooms.heldRoom(room);
    rooms.refuseIfLocked(room, 'invite someone');
    const digits = number.replace(/[\s().-]/g, '');
    if (!DIAL_NUMBER.test(digits)) throw new BadInputError(`"${number.slice(0, 40)}" is not a phone number: use digits, optionally with a leading +.`);
    const template = this.d.config.invite;
    if (template === undefined) {
      throw new ActionRefusedError(`Invite is not set up for PBX ${pbx}; an admin must configure it.`, {
        adminHint: `Set pbxs[].invite for PBX ${pbx} in the config.`,
      });
    }
    rooms.calls.requireUp();
    const params = originateParams(template, { room, number: digits });
    const pending: InviteProgress = { state: 'pending', number: digits, reason: undefined, channel: undefined };
    onProgress?.(pending);
    const callee = this.watchCallee(room);
    let result;
    try {
      result = await rooms.calls.effect(room, `invite ${digits}`, () => originateAsync(this.d.link, params));
    } catch (err) {
      callee.cancel();
      throw err;
    }
    let done: InviteProgress;
    if (!result.success) {
      callee.cancel();
      done = { state: 'failed', number: digits, reason: result.reasonText, channel: undefined };
    } else if (await callee.joined(result.uniqueid, result.channel)) {
      done = { state: 'answered', number: digits, reason: undefined, channel: result.channel };
    } else {
      done = { state: 'failed', number: digits, reason: 'answered, but did not join the room', channel: result.channel };
    }
    onProgress?.(done);
    return done;
  }

  /**
   * OriginateResponse says the callee answered, not that the dialplan took them into the room (a
   * room locked meanwhile, a template pointing elsewhere, a callee hanging up at the prompt).
   * Watching starts before the originate: the join or the hangup may arrive before the response,
   * or in the same read, ahead of the code awaiting it. `joined` is true once the channel joins
   * `room`, false when it hangs up first or the wait runs out.
   */
  private watchCallee(room: string): { joined(uniqueid: string, channel: string): Promise<boolean>; cancel(): void } {
    const { clock } = this.d;
    const early: RoomChange[] = [];
    let next: ((c: RoomChange) => void) | undefined;
    const off = this.d.feed.onChange((changes) => {
      for (const c of changes) {
        if (c.type !== 'hangup' && !(c.type === 'joined' && c.room === room)) continue;
        if (next === undefined) early.push(c);
        else next(c);
      }
    });
    const joined = (uniqueid: string, channel: string): Promise<boolean> => new Promise((resolve) => {
      const verdict = (c: RoomChange): boolean | undefined => {
        if (c.type === 'joined') return c.participant.uniqueid === uniqueid || c.participant.channel === channel ? true : undefined;
        return c.type === 'hangup' && c.uniqueid === uniqueid ? false : undefined;
      };
      const finish = (answer: boolean): void => {
        clock.clearTimeout(timer);
        next = undefined;
        off();
        resolve(answer);
      };
      const timer = clock.setTimeout(() => finish(false), this.d.inviteJoinWaitMs);
      for (const c of early.splice(0)) {
        const v = verdict(c);
        if (v !== undefined) return finish(v);
      }
      next = (c) => {
        const v = verdict(c);
        if (v !== undefined) finish(v);
      };
    });
    return { joined, cancel: () => void off() };
  }
}
