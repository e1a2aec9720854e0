import { coreShowChannels, getVar, redirect, setVar } from '../ami/actions.ts';
import { AmiActionError, AmiPermissionDeniedError } from '../ami/errors.ts';
import type { PbxConfig } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import { isBotError, type BotError } from '../errors.ts';
import type { QueuedCaller, TransferTarget, Who } from './backend.ts';
import {
  ActionRefusedError, BadInputError, OutcomeUnknownError, PbxNotReadyError, PbxPermissionDeniedError, PbxUnavailableError, RoomNotFoundError,
} from './errors.ts';
import { problemFix, problemLabel, writeClassFor } from './link-problem.ts';
import { conferenceQueue, mohQueue, pickQueued, type ArrivalTracker } from './lobby.ts';
import { setMutedBy, setParticipantTopic, setRoomLocked } from './model.ts';
import type { ManagedLink, PbxFeed } from './pbx-link.ts';
import type { PbxSync } from './pbx-sync.ts';
import { fillTemplate } from './template.ts';
import type { Participant, Room } from './types.ts';
import { resolveWho, validateWho } from './who.ts';

/**
 * Room operations and error mapping: each side-effecting AMI call is sent once (a link that drops
 * while one is pending turns it into `outcome_unknown`, never a retry), and every AMI failure
 * becomes a typed conference error.
 */

const DIALPLAN_NAME = /^[A-Za-z0-9_+*#.-]{1,80}$/;
const VARIABLE_NAME = /^[A-Za-z0-9_()+,.-]{1,80}$/;
const TOPIC_MAX = 200;
export const CONTROL = /[\x00-\x1f\x7f]/;

export interface RoomOpsDeps {
  readonly pbx: string;
  readonly config: PbxConfig;
  readonly link: ManagedLink;
  readonly clock: Clock;
  readonly feed: PbxFeed;
  readonly sync: PbxSync;
  readonly arrivals: ArrivalTracker;
}

/** Maps AMI failures of one PBX to conference errors; an admin is told how to fix a setup problem. */
export class AmiCalls {
  constructor(private readonly config: PbxConfig, private readonly link: ManagedLink, private readonly feed: PbxFeed) {}

  private get pbx(): string {
    return this.config.id;
  }

  requireUp(): void {
    if (this.link.connected) return;
    const problem = this.feed.state.problem;
    if (problem === undefined) throw new PbxUnavailableError(this.pbx);
    throw new PbxUnavailableError(this.pbx, { reason: problemLabel(problem), adminHint: problemFix(problem, this.config) });
  }

  /** Runs a side-effecting AMI call once; a drop or a timeout while pending makes the outcome unknown. */
  async effect<T>(room: string, what: string, fn: () => Promise<T>): Promise<T> {
    this.requireUp();
    try {
      return await fn();
    } catch (err) {
      if (isBotError(err, 'ami_disconnected') || isBotError(err, 'ami_timeout')) {
        throw new OutcomeUnknownError(this.pbx, room, what, { detail: `${what} in ${room} on ${this.pbx}: ${(err as BotError).message}`, cause: err });
      }
      throw this.refused(err, `The PBX refused to ${what} in room ${room}.`, what);
    }
  }

  /** Runs a read-only AMI call; a drop means the PBX is unavailable. */
  async query<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.requireUp();
    try {
      return await fn();
    } catch (err) {
      if (isBotError(err, 'ami_disconnected') || isBotError(err, 'ami_timeout')) throw new PbxUnavailableError(this.pbx, { detail: (err as BotError).message, cause: err });
      throw this.refused(err, `The PBX could not ${what}.`, what);
    }
  }

  private refused(err: unknown, userMessage: string, what: string): unknown {
    if (err instanceof AmiPermissionDeniedError) {
      const problem = { kind: 'permission_denied', action: err.action, writeClass: writeClassFor(err.action) } as const;
      return new PbxPermissionDeniedError(this.pbx, what, { detail: err.message, cause: err, adminHint: problemFix(problem, this.config) });
    }
    if (!(err instanceof AmiActionError)) return err;
    return new ActionRefusedError(userMessage, { detail: err.message, cause: err });
  }
}

export class RoomOps {
  /** Participants the bot muted, to record `mutedBy: 'admin'` when the event comes. */
  readonly #mutedByBot = new Set<string>();
  readonly calls: AmiCalls;

  constructor(private readonly d: RoomOpsDeps) {
    this.calls = new AmiCalls(d.config, d.link, d.feed);
  }

  /** True once for a participant the bot muted: its mute event has come. */
  takeMutedByBot(uniqueid: string): boolean {
    return this.#mutedByBot.delete(uniqueid);
  }

  heldRoom(name: string): Room {
    const state = this.d.feed.state;
    const room = CONTROL.test(name) ? undefined : state.rooms.get(name);
    if (room === undefined && state.roomsKnown === false) {
      const problem = state.problem;
      throw new PbxNotReadyError(this.d.pbx, problem === undefined ? {} : { adminHint: problemFix(problem, this.d.config) });
    }
    if (room === undefined) throw new RoomNotFoundError(this.d.pbx, name, [...state.rooms.keys()].sort());
    return room;
  }

  resolve(room: string, who: string): Participant {
    return resolveWho([...this.heldRoom(room).participants.values()], who, { room });
  }

  async mute(room: string, who: Who, on: boolean): Promise<Participant[]> {
    const r = this.heldRoom(room);
    this.calls.requireUp();
    const ops = await this.d.sync.requireOps();
    const targets = who.kind === 'one'
      ? [resolveWho([...r.participants.values()], who.text, { room })]
      : [...r.participants.values()].filter((p) => !(on && p.admin));
    if (on) for (const p of targets) this.#mutedByBot.add(p.uniqueid);
    try {
      if (who.kind === 'one') await this.calls.effect(room, on ? 'mute' : 'unmute', () => ops.mute(room, targets[0] as Participant, on));
      else await this.calls.effect(room, on ? 'mute everyone' : 'unmute everyone', () => ops.mute(room, 'all', on));
    } catch (err) {
      if (who.kind === 'one') for (const p of targets) this.#mutedByBot.delete(p.uniqueid);
      throw err;
    }
    // The mute event may come before the action's answer: mark it now if it already did.
    if (on) for (const p of targets) this.markMutedByBot(room, p.uniqueid);
    return targets;
  }

  private markMutedByBot(room: string, uniqueid: string): void {
    const r = setMutedBy(this.d.feed.state, room, uniqueid, 'admin');
    if (r.state !== this.d.feed.state) this.#mutedByBot.delete(uniqueid);
    this.d.feed.commit(r);
  }

  async kick(room: string, who: Who): Promise<Participant[]> {
    const r = this.heldRoom(room);
    this.calls.requireUp();
    const ops = await this.d.sync.requireOps();
    if (who.kind === 'one') {
      const p = resolveWho([...r.participants.values()], who.text, { room });
      await this.calls.effect(room, 'kick', () => ops.kick(room, p));
      return [p];
    }
    const everyone = [...r.participants.values()];
    await this.calls.effect(room, 'kick everyone', () => ops.kick(room, 'all'));
    return everyone;
  }

  /** Re-reads the room's lock state from the PBX: anyone may have changed it there. */
  async refreshLock(room: string): Promise<void> {
    this.heldRoom(room);
    await this.calls.query('read the lock state', () => this.d.sync.refreshLocks([room]));
  }

  async lock(room: string, on: boolean): Promise<void> {
    this.heldRoom(room);
    this.calls.requireUp();
    const ops = await this.d.sync.requireOps();
    await this.calls.effect(room, on ? 'lock' : 'unlock', () => ops.lock(room, on));
    // Asterisk 22 and MeetMe send no lock event: read the state back, or take the answer as the news.
    try {
      await this.d.sync.refreshLocks([room]);
    } catch {
      this.d.feed.commit(setRoomLocked(this.d.feed.state, room, on));
    }
  }

  async record(room: string, on: boolean): Promise<void> {
    this.heldRoom(room);
    this.calls.requireUp();
    const ops = await this.d.sync.requireOps();
    await this.calls.effect(room, on ? 'start recording' : 'stop recording', () => ops.record(room, on));
  }

  /**
   * ConfBridge and MeetMe turn away a non-admin joining a locked room, and an invited callee or a
   * redirected caller runs the default (non-admin) user profile: the call would be answered, then
   * dropped, while the bot reported success.
   */
  refuseIfLocked(room: string, what: string): void {
    if (this.d.feed.state.rooms.get(room)?.locked === true) throw new ActionRefusedError(`Room ${room} is locked: unlock it first to ${what}.`);
  }

  async transfer(room: string, who: string, target: TransferTarget): Promise<Participant> {
    const p = this.resolve(room, who);
    const exten = target.exten.trim();
    const context = (target.context ?? this.d.config.transferContext).trim();
    if (!DIALPLAN_NAME.test(exten) || !DIALPLAN_NAME.test(context)) {
      throw new BadInputError('A transfer target is an extension, optionally @context, made of letters, digits and _+*#.-');
    }
    await this.calls.effect(room, `transfer to ${exten}@${context}`, () => redirect(this.d.link, { channel: p.channel, context, exten, priority: 1 }));
    return p;
  }

  async getTopic(room: string, who: string): Promise<{ readonly participant: Participant; readonly topic: string | undefined }> {
    const p = this.resolve(room, who);
    const topic = await this.calls.query('read the topic', () => getVar(this.d.link, { channel: p.channel, variable: this.d.config.topicVariable }));
    return { participant: p, topic };
  }

  async setTopic(room: string, who: string, text: string): Promise<Participant> {
    const p = this.resolve(room, who);
    const topic = text.trim();
    if (CONTROL.test(topic) || topic.length > TOPIC_MAX) throw new BadInputError(`A topic is one line of at most ${TOPIC_MAX} characters.`);
    await this.calls.effect(room, 'set the topic', () => setVar(this.d.link, { channel: p.channel, variable: this.d.config.topicVariable, value: topic }));
    this.d.feed.commit(setParticipantTopic(this.d.feed.state, room, p.uniqueid, topic === '' ? undefined : topic));
    return this.d.feed.state.rooms.get(room)?.participants.get(p.uniqueid) ?? p;
  }

  async queue(room: string): Promise<QueuedCaller[]> {
    const lobby = this.lobbyOf(room);
    // A conference lobby is read from held state, which is stale while the link is down.
    this.calls.requireUp();
    if (lobby.type === 'conference') return conferenceQueue(this.d.feed.state.rooms.get(lobby.conference));
    const channels = await this.calls.query('list waiting callers', () => coreShowChannels(this.d.link));
    const queue = mohQueue(channels, lobby, (id) => this.d.arrivals.get(id), this.d.clock.now());
    this.d.arrivals.keepOnly(new Set(queue.map((q) => q.uniqueid)));
    return queue;
  }

  /** The room's configured lobby; a room without one has no caller queue, which `queue` and `bringIn` both say. */
  private lobbyOf(room: string): NonNullable<PbxConfig['lobbies'][string]> {
    const lobby = this.d.config.lobbies[room];
    if (lobby === undefined) {
      throw new ActionRefusedError(`Room ${room} has no caller queue; an admin must set one up.`, {
        adminHint: `Set pbxs[].lobbies.${room} for PBX ${this.d.pbx} in the config.`,
      });
    }
    return lobby;
  }

  async bringIn(room: string, who: string): Promise<QueuedCaller> {
    validateWho(who);
    const lobby = this.lobbyOf(room);
    const entry = lobby.target ?? this.d.config.invite;
    if (entry === undefined) {
      throw new ActionRefusedError(`Bringing callers in is not set up for room ${room}; an admin must configure it.`, {
        adminHint: `Set pbxs[].lobbies.${room}.target, or pbxs[].invite's context and exten, for PBX ${this.d.pbx} in the config.`,
      });
    }
    this.refuseIfLocked(room, 'bring a caller in');
    const caller = pickQueued(await this.queue(room), who, room);
    const values = { room };
    await this.calls.effect(room, 'bring a caller in', () => redirect(this.d.link, {
      channel: caller.channel, context: fillTemplate(entry.context, values), exten: fillTemplate(entry.exten, values), priority: entry.priority,
    }));
    return caller;
  }

  async getChannelVar(channel: string, variable: string): Promise<string | undefined> {
    if (CONTROL.test(channel) || channel.trim() === '' || !VARIABLE_NAME.test(variable)) throw new BadInputError('That channel or variable name cannot be read.');
    return this.calls.query('read a channel variable', () => getVar(this.d.link, { channel, variable }));
  }
}
