import type { ConferenceBackend, ConferenceDirectory, Who } from '../conference/backend.ts';
import { PbxNotReadyError } from '../conference/errors.ts';
import { problemLabel } from '../conference/link-problem.ts';
import type { Participant, Room } from '../conference/types.ts';
import type { AuditStore } from '../store/types.ts';
import { tryEncodeAction, type Action } from './actions.ts';
import type { Actor, Conversation } from './adapter.ts';
import { commandTable, SLASH_COMMAND, summaryOf, usageOf, type Command, type SubcommandName } from './commands.ts';
import {
  AlreadyLeftError, AmbiguousRoomError, BadActionError, InviteFailedError, NotAvailableYetError, UnknownPbxError, UnknownRoomError,
} from './errors.ts';
import type { Policy } from './policy.ts';
import type { ConfigSummary, ListenService, WatchService } from './services.ts';
import { closestMatch } from './suggest.ts';
import {
  buildStatusView, configView, formatClock, formatDuration, participantLabel, replyView,
  type ButtonView, type StatusView, type View,
} from './views.ts';

/** The directory the core needs: every PBX, plus lookup of typed room names (`200`, `pbx/200`). */
export type RoomDirectory = ConferenceDirectory & {
  findRoom(name: string): { readonly pbx: string; readonly room: string } | undefined;
};

export interface RoomTarget {
  readonly pbx: string;
  readonly room: string;
}

export interface DispatchEnv {
  readonly actor: Actor;
  readonly conversation: Conversation;
  /** Whether the actor was given admin as the local user (shown by `whoami`). */
  readonly localAdmin: boolean;
}

/** What a command or press produced: a reply (or nothing, when a service posted its own message). */
export interface Outcome {
  readonly view: View | undefined;
  readonly ephemeral: boolean;
  /** The target as people know it, for the audit trail. */
  readonly target: string | undefined;
  /** For presses on a one-shot status message: the room whose message should be refreshed. */
  readonly refresh?: RoomTarget;
  /** Audit detail when the outcome is not the change itself (CONFIRMATION_ASKED). */
  readonly detail?: string;
}

/** Audit detail of a typed command that only answered with a confirm button. */
export const CONFIRMATION_ASKED = 'confirmation asked';

/** Audit detail of a command that asked for the state the room or participant was already in. */
export const NO_CHANGE = 'no change: already in that state';

export interface DispatcherDeps {
  readonly directory: RoomDirectory;
  readonly policy: Policy;
  readonly now: () => number;
  readonly audit?: AuditStore | undefined;
  readonly watch?: WatchService | undefined;
  readonly listen?: ListenService | undefined;
  /** The running configuration, without secrets, for `config`. */
  readonly configSummary?: (() => ConfigSummary) | undefined;
}

/**
 * Commands that may name a room that is not active: one yet to start (watch), one that ended
 * (unwatch, audit), or one whose callers wait in its lobby (queue, bringin). `invite` is not one:
 * the PBX refuses to dial into a room it does not hold.
 */
const ROOM_MAY_BE_INACTIVE: ReadonlySet<string> = new Set(['watch', 'unwatch', 'queue', 'bringin', 'audit']);

/** A room the directory knows, with the name people type for it (`pbx/room` when several PBXs). */
/** How a typed `mute|kick <room> all [confirm]` named its room, and whether it ended with `confirm`. */
interface TypedAll {
  readonly typedRoom: string;
  readonly confirmed: boolean;
}

interface KnownRoom extends RoomTarget {
  readonly name: string;
}

/** A word as it must be typed to come back as one argument. */
function quoteIfSpaced(word: string): string {
  return /\s/.test(word) ? `"${word}"` : word;
}

function labels(participants: readonly Participant[]): string {
  if (participants.length === 0) return 'nobody';
  if (participants.length > 5) return `${participants.length} participants`;
  return participants.map(participantLabel).join(', ');
}

/** Command/action → backend call → view. Authorization has already happened (middleware). */
export class Dispatcher {
  readonly #deps: DispatcherDeps;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /**
   * The room a command names, resolved to a PBX. Throws UnknownRoomError with the closest name
   * among the rooms `mayView` accepts, so a refusal never names a room the actor may not see, and
   * UnknownPbxError for a `pbx/room` whose PBX is not configured (listing the PBXs `mayView` accepts
   * with no room given).
   */
  resolveRoom(text: string, commandName: string, mayView: (scope: { readonly pbx: string; readonly room: string | undefined }) => boolean): RoomTarget {
    const { directory } = this.#deps;
    const hit = directory.findRoom(text);
    if (hit !== undefined) return hit;
    const ids = directory.pbxIds();
    const slash = text.indexOf('/');
    const pbx = slash >= 0 ? text.slice(0, slash) : ids.length === 1 ? ids[0] : undefined;
    if (slash >= 0 && pbx !== undefined && !ids.includes(pbx)) {
      // A mistyped PBX id is not a missing room: "no room" would send people looking in the wrong place.
      const known = ids.filter((id) => mayView({ pbx: id, room: undefined }));
      throw new UnknownPbxError(pbx, known, closestMatch(pbx, known));
    }
    const room = slash >= 0 ? text.slice(slash + 1) : text;
    const visible = this.#knownRooms().filter(mayView);
    const suggestion = closestMatch(text, visible.map((r) => r.name));
    if (ROOM_MAY_BE_INACTIVE.has(commandName) && pbx !== undefined && ids.includes(pbx)) {
      // A near miss of an active room is a typo far more often than a room yet to start; posting a
      // status message for it would announce a room that may never exist.
      if (commandName === 'watch' && suggestion !== undefined) throw new UnknownRoomError(text, suggestion);
      return { pbx, room };
    }
    const onSeveral = visible.filter((r) => r.room === text).map((r) => r.name);
    if (slash < 0 && onSeveral.length > 1) throw new AmbiguousRoomError(text, onSeveral);
    // A PBX whose rooms are not listed yet may well hold this one.
    const unlisted = (pbx === undefined ? ids : [pbx]).find((id) => mayView({ pbx: id, room }) && directory.backend(id).state().roomsKnown === false);
    if (unlisted !== undefined) throw new PbxNotReadyError(unlisted);
    throw new UnknownRoomError(text, suggestion);
  }

  /** The room a command acts on, or undefined for commands that have none. */
  roomOf(command: Command): string | undefined {
    if ('room' in command) return command.room;
    if (command.name === 'listen' && command.target.kind === 'participant') return command.target.room;
    return undefined;
  }

  #knownRooms(): KnownRoom[] {
    const ids = this.#deps.directory.pbxIds();
    const known: KnownRoom[] = [];
    for (const pbx of ids) {
      for (const room of this.#backend(pbx).state().rooms.values()) {
        if (room.endedAt !== undefined) continue;
        known.push({ pbx, room: room.name, name: ids.length > 1 ? `${pbx}/${room.name}` : room.name });
      }
    }
    return known;
  }

  #backend(pbx: string): ConferenceBackend {
    return this.#deps.directory.backend(pbx);
  }

  #note(target: RoomTarget, actor: Actor, text: string): void {
    this.#deps.watch?.noteAction(target.pbx, target.room, `${actor.displayName} ${text}`);
  }

  statusView(target: RoomTarget): StatusView {
    const state = this.#backend(target.pbx).state();
    return buildStatusView({
      pbx: target.pbx,
      roomName: target.room,
      room: state.rooms.get(target.room),
      available: state.available,
      since: state.since,
      now: this.#deps.now(),
    });
  }

  async runCommand(command: Command, target: RoomTarget | undefined, env: DispatchEnv): Promise<Outcome> {
    const done = (view: View | undefined, ephemeral: boolean, what?: string): Outcome => ({ view, ephemeral, target: what });
    const room = (): RoomTarget => {
      if (target === undefined) throw new UnknownRoomError(this.roomOf(command) ?? '', undefined);
      return target;
    };
    switch (command.name) {
      case 'help':
        return done(this.#help(command.topic), true);
      case 'whoami':
        return done(this.#whoami(env), true);
      case 'list':
        return done(this.#list(env.actor), false);
      case 'show':
        if (this.#deps.watch !== undefined) {
          await this.#deps.watch.watch(room().pbx, room().room, env.conversation, env.actor);
          return done(undefined, false, room().room);
        }
        return done(this.statusView(room()), false, room().room);
      case 'watch':
        if (this.#deps.watch === undefined) throw new NotAvailableYetError('Live status messages', 'Use `show` for a snapshot.');
        await this.#deps.watch.watch(room().pbx, room().room, env.conversation, env.actor);
        return done(undefined, false, room().room);
      case 'unwatch': {
        if (this.#deps.watch === undefined) throw new NotAvailableYetError('Live status messages');
        const was = await this.#deps.watch.unwatch(room().pbx, room().room, env.conversation);
        return done(replyView(was ? `Stopped updating room ${room().room} here.` : `Room ${room().room} was not being watched here.`), true, room().room);
      }
      case 'mute':
      case 'unmute':
        return this.#mute(room(), command.who, command.name === 'mute', env.actor, { typedRoom: command.room, confirmed: command.confirmed });
      case 'kick':
        return this.#kick(room(), command.who, env.actor, { typedRoom: command.room, confirmed: command.confirmed });
      case 'lock':
      case 'unlock':
        return this.#lock(room(), command.name === 'lock', env.actor);
      case 'record':
      case 'muzak':
      case 'stream':
        return this.#toggle(room(), command.name, command.on, env.actor);
      case 'topic':
        return this.#topic(room(), command.who, command.text, env.actor);
      case 'transfer': {
        const participant = await this.#backend(room().pbx).resolve(room().room, command.who);
        const where = command.target.context === undefined ? command.target.exten : `${command.target.exten}@${command.target.context}`;
        const who = participantLabel(participant);
        if (command.confirmed) {
          await this.#backend(room().pbx).transfer(room().room, participant.channel, command.target);
          this.#note(room(), env.actor, `transferred ${who} to ${where}`);
          return done(replyView(`Transferred ${who} to ${where}.`, { tone: 'success' }), false, who);
        }
        const id = tryEncodeAction({
          kind: 'transfer', pbx: room().pbx, room: room().room, uniqueid: participant.uniqueid,
          exten: command.target.exten, context: command.target.context,
        });
        if (id === undefined) {
          // The names do not fit in a button id: a typed `confirm` is the confirmation instead.
          const typed = ['transfer', command.room, command.who, where, 'confirm'].map(quoteIfSpaced).join(' ');
          return {
            view: replyView(`Transfer ${who} out of room ${room().room} to ${where}? These names are too long for a confirm button: to go ahead, type \`${typed}\`.`),
            ephemeral: true, target: who, detail: CONFIRMATION_ASKED,
          };
        }
        const confirmButton: ButtonView = {
          id, label: `Transfer to ${where}`, style: 'danger',
          confirm: { title: 'Transfer participant?', text: `Send ${who} out of room ${room().room} to ${where}?`, confirm: 'Transfer', deny: 'Cancel' },
        };
        return {
          view: replyView(`Transfer ${who} to ${where}? Press the button to confirm.`, { buttons: [confirmButton] }),
          ephemeral: true, target: who, detail: CONFIRMATION_ASKED,
        };
      }
      case 'invite': {
        const progress = await this.#backend(room().pbx).invite(room().room, command.number);
        if (progress.state === 'failed') throw new InviteFailedError(command.number, room().room, progress.reason);
        this.#note(room(), env.actor, `invited ${command.number}`);
        const text = progress.state === 'answered' ? `${command.number} answered and is joining ${room().room}.` : `Calling ${command.number} into ${room().room}…`;
        return done(replyView(text, { tone: 'success' }), false, command.number);
      }
      case 'queue':
        return done(await this.#queue(room()), false, room().room);
      case 'bringin': {
        const caller = await this.#backend(room().pbx).bringIn(room().room, command.who);
        const who = caller.callerName ?? caller.callerNum ?? caller.channel;
        this.#note(room(), env.actor, `brought ${who} in`);
        return done(replyView(`Brought ${who} into room ${room().room}.`, { tone: 'success' }), false, who);
      }
      case 'listen':
        return this.#listen(command, target, env.actor);
      case 'calls':
        return done(await this.#calls(command.filter), true, command.filter);
      case 'alerts':
        throw new NotAvailableYetError('Alerts');
      case 'audit':
        return done(await this.#audit(room()), true, room().room);
      case 'config': {
        const summary = this.#deps.configSummary;
        if (summary === undefined) throw new NotAvailableYetError('The configuration view');
        return done(configView(summary()), true);
      }
    }
  }

  async runAction(action: Action, env: DispatchEnv): Promise<Outcome> {
    const target: RoomTarget = { pbx: action.pbx, room: action.room };
    const backend = this.#backend(action.pbx);
    const current = backend.state().rooms.get(action.room);
    // Page buttons are turned by the adapter that drew them (it alone knows what each page holds);
    // one that reaches the core came from an adapter that does not page.
    if (action.kind === 'page') throw new BadActionError('page action delivered to the core');
    if (current === undefined || current.endedAt !== undefined) throw new AlreadyLeftError(`Room ${action.room} has already ended.`);
    const present = (uniqueid: string): Participant => {
      const p = current.participants.get(uniqueid);
      if (p === undefined) throw new AlreadyLeftError('That participant already left the room.');
      return p;
    };
    const ok = (text: string, what: string): Outcome => ({ view: replyView(text, { tone: 'success' }), ephemeral: true, target: what, refresh: target });
    switch (action.kind) {
      case 'mute': {
        const p = present(action.uniqueid);
        const out = await this.#mute(target, { kind: 'one', text: p.channel }, action.on, env.actor);
        return { ...out, ephemeral: true, refresh: target };
      }
      case 'kick': {
        const p = present(action.uniqueid);
        const out = await this.#kick(target, { kind: 'one', text: p.channel }, env.actor);
        return { ...out, ephemeral: true, refresh: target };
      }
      case 'mute_all': {
        const done = await backend.mute(action.room, { kind: 'all' }, action.on);
        this.#note(target, env.actor, `${action.on ? 'muted' : 'unmuted'} everyone`);
        return ok(`${action.on ? 'Muted' : 'Unmuted'} ${labels(done)} in ${action.room}.`, 'everyone');
      }
      case 'kick_all': {
        const done = await backend.kick(action.room, { kind: 'all' });
        this.#note(target, env.actor, 'kicked everyone');
        return ok(`Kicked ${labels(done)} from ${action.room}.`, 'everyone');
      }
      case 'lock': {
        const out = await this.#lock(target, action.on, env.actor);
        return { ...out, ephemeral: true, refresh: target };
      }
      case 'transfer': {
        const p = present(action.uniqueid);
        const where = action.context === undefined ? action.exten : `${action.exten}@${action.context}`;
        await backend.transfer(action.room, p.channel, { exten: action.exten, context: action.context });
        const who = participantLabel(p);
        this.#note(target, env.actor, `transferred ${who} to ${where}`);
        return ok(`Transferred ${who} to ${where}.`, who);
      }
    }
  }

  async #mute(target: RoomTarget, who: Who, on: boolean, actor: Actor, typed?: TypedAll): Promise<Outcome> {
    if (who.kind === 'all' && on && typed?.confirmed !== true) {
      return this.#confirmAll(target, { kind: 'mute_all', pbx: target.pbx, room: target.room, on: true }, 'Mute everyone', 'Mute all', ['mute', typed?.typedRoom ?? target.room]);
    }
    const backend = this.#backend(target.pbx);
    if (who.kind === 'one' && this.#held(target) !== undefined) {
      // Asking the PBX again would succeed silently and read as if something changed.
      const participant = await backend.resolve(target.room, who.text);
      if (participant.muted === on) return this.#unchanged(`${participantLabel(participant)} is already ${on ? 'muted' : 'unmuted'}.`, participantLabel(participant));
    }
    const done = await backend.mute(target.room, who, on);
    const verb = on ? 'muted' : 'unmuted';
    this.#note(target, actor, who.kind === 'all' ? `${verb} everyone` : `${verb} ${labels(done)}`);
    return {
      view: replyView(`${on ? 'Muted' : 'Unmuted'} ${labels(done)} in ${target.room}.`, { tone: 'success' }),
      ephemeral: false,
      target: who.kind === 'all' ? 'everyone' : labels(done),
    };
  }

  async #kick(target: RoomTarget, who: Who, actor: Actor, typed?: TypedAll): Promise<Outcome> {
    if (who.kind === 'all' && typed?.confirmed !== true) {
      return this.#confirmAll(target, { kind: 'kick_all', pbx: target.pbx, room: target.room }, 'Kick everyone', 'Kick all', ['kick', typed?.typedRoom ?? target.room]);
    }
    const done = await this.#backend(target.pbx).kick(target.room, who);
    this.#note(target, actor, who.kind === 'all' ? 'kicked everyone' : `kicked ${labels(done)}`);
    return {
      view: replyView(`Kicked ${labels(done)} from ${target.room}.`, { tone: 'success' }), ephemeral: false,
      target: who.kind === 'all' ? 'everyone' : labels(done),
    };
  }

  async #lock(target: RoomTarget, on: boolean, actor: Actor): Promise<Outcome> {
    const state = on ? 'locked' : 'unlocked';
    // Nothing announces a lock made at the PBX: only a state just read back may answer "already".
    const fresh = await this.#backend(target.pbx).refreshLock(target.room).then(() => true, () => false);
    if (fresh && this.#held(target)?.locked === on) {
      return this.#unchanged(`Room ${target.room} is already ${state}.`, target.room);
    }
    await this.#backend(target.pbx).lock(target.room, on);
    this.#note(target, actor, `${on ? 'locked' : 'unlocked'} the room`);
    return { view: replyView(`Room ${target.room} is ${state}.`, { tone: 'success' }), ephemeral: false, target: target.room };
  }

  /**
   * The room as held from events, for answering "already so" without a PBX call; undefined while
   * the PBX is unreachable, when the held state may be stale and the PBX's own answer is wanted.
   */
  #held(target: RoomTarget): Room | undefined {
    const state = this.#backend(target.pbx).state();
    return state.available ? state.rooms.get(target.room) : undefined;
  }

  /** A request for the state the room is already in: said plainly, no PBX call, audited as no change. */
  #unchanged(text: string, what: string): Outcome {
    return { view: replyView(text), ephemeral: false, target: what, detail: NO_CHANGE };
  }

  /**
   * Everyone-at-once changes hurt on a slip of the keyboard: typed, they answer with a confirm
   * button, or, when the names do not fit in a button id, with the command to type again ending in
   * `confirm`. The head count is in the reply (true when it is sent) but not in the button's
   * confirmation, which is shown when pressed, maybe long after: a stale count there would
   * understate who is about to be muted or kicked.
   */
  #confirmAll(target: RoomTarget, action: Action, title: string, label: string, typed: readonly [verb: string, room: string]): Outcome {
    const count = this.#backend(target.pbx).state().rooms.get(target.room)?.participants.size ?? 0;
    const question = `${title} in room ${target.room} (${count} now)?`;
    const asked = { ephemeral: true, target: 'everyone', detail: CONFIRMATION_ASKED } as const;
    const id = tryEncodeAction(action);
    if (id === undefined) {
      const command = [...typed, 'all', 'confirm'].map(quoteIfSpaced).join(' ');
      return { ...asked, view: replyView(`${question} These names are too long for a confirm button: to go ahead, type \`${command}\`.`) };
    }
    const confirm = { title: `${title}?`, text: `${title} in room ${target.room}? Whoever is in it when you confirm is included.`, confirm: label, deny: 'Cancel' };
    const confirmButton: ButtonView = { id, label, style: 'danger', confirm };
    return { ...asked, view: replyView(`${question} Press the button to confirm.`, { buttons: [confirmButton] }) };
  }

  async #toggle(target: RoomTarget, what: 'record' | 'muzak' | 'stream', on: boolean, actor: Actor): Promise<Outcome> {
    const backend = this.#backend(target.pbx);
    // ConfBridge refuses a second StartRecord (and a StopRecord with nothing recording) with an error
    // that reads like a fault; the held state answers the question without asking the PBX.
    if (what === 'record' && this.#held(target)?.recording === on) {
      return this.#unchanged(`Room ${target.room} is ${on ? 'already recording' : 'not recording'}.`, target.room);
    }
    // Like the other "already" answers: said plainly, without originating a second channel.
    if (what !== 'record' && on && this.#held(target)?.[what] !== undefined) {
      return this.#unchanged(`${what === 'muzak' ? 'Music' : 'The stream'} is already playing in ${target.room}.`, target.room);
    }
    if (what === 'record') await backend.record(target.room, on);
    else if (what === 'muzak') await backend.muzak(target.room, on);
    else await backend.stream(target.room, on);
    const phrase = what === 'record' ? (on ? 'started recording' : 'stopped recording') : `turned ${what} ${on ? 'on' : 'off'}`;
    this.#note(target, actor, phrase);
    const text = what === 'record' ? `Recording ${on ? 'started' : 'stopped'} in ${target.room}.` : `${what === 'muzak' ? 'Music' : 'Streaming'} ${on ? 'on' : 'off'} in ${target.room}.`;
    return { view: replyView(text, { tone: 'success' }), ephemeral: false, target: target.room };
  }

  async #topic(target: RoomTarget, who: string, text: string | undefined, actor: Actor): Promise<Outcome> {
    const backend = this.#backend(target.pbx);
    if (text === undefined) {
      const { participant, topic } = await backend.getTopic(target.room, who);
      const label = participantLabel(participant);
      return { view: replyView(topic === undefined ? `${label} has no topic.` : `${label}: ${topic}`), ephemeral: false, target: label };
    }
    const participant = await backend.setTopic(target.room, who, text);
    const label = participantLabel(participant);
    this.#note(target, actor, `set the topic of ${label}`);
    return { view: replyView(`Topic of ${label} set to “${text}”.`, { tone: 'success' }), ephemeral: false, target: label };
  }

  async #queue(target: RoomTarget): Promise<View> {
    const waiting = await this.#backend(target.pbx).queue(target.room);
    if (waiting.length === 0) return replyView(`Nobody is waiting to join ${target.room}.`);
    const now = this.#deps.now();
    return replyView(`${waiting.length} waiting to join ${target.room}. Use \`bringin ${target.room} <position>\`.`, {
      table: {
        columns: ['#', 'Caller', 'Number', 'Waiting'],
        rows: waiting.map((c) => [String(c.position), c.callerName ?? '', c.callerNum ?? '', formatDuration((now - c.waitingSince) / 1000)]),
      },
    });
  }

  async #listen(command: Extract<Command, { name: 'listen' }>, target: RoomTarget | undefined, actor: Actor): Promise<Outcome> {
    const listen = this.#deps.listen;
    if (listen === undefined) throw new NotAvailableYetError('Live listening');
    const spec = command.target;
    let link;
    if (spec.kind === 'call') {
      link = await listen.linkForCall(spec.callref, spec.sensor, actor);
    } else {
      if (target === undefined) throw new UnknownRoomError(spec.room, undefined);
      const participant = await this.#backend(target.pbx).resolve(target.room, spec.who);
      link = await listen.linkForParticipant(participant, actor);
    }
    const who = link.call.callerName ?? link.call.caller;
    const byNumber = link.matchedBy === 'number' ? ' Matched by phone number, not by SIP Call-ID: check it is the right call.' : '';
    return {
      view: replyView(`Private link to listen to ${who} → ${link.call.called}. It expires at ${formatClock(link.expiresAt)} UTC.${byNumber}`, {
        link: { url: link.url, label: 'Listen live' },
      }),
      ephemeral: true,
      target: spec.kind === 'call' ? spec.callref : who,
    };
  }

  async #calls(filter: string | undefined): Promise<View> {
    const listen = this.#deps.listen;
    if (listen === undefined) throw new NotAvailableYetError('Live listening');
    const calls = await listen.listCalls(filter);
    if (calls.length === 0) return replyView(filter === undefined ? 'The sensors see no calls.' : `No calls match “${filter}”.`);
    return replyView(`${calls.length} call${calls.length === 1 ? '' : 's'}. Use \`listen call <ref> [sensor]\`.`, {
      table: {
        columns: ['Ref', 'Sensor', 'Caller', 'Called', 'Duration', 'Codec', 'MOS'],
        rows: calls.map((c) => [
          c.callref, c.sensor, c.callerName === undefined ? c.caller : `${c.callerName} (${c.caller})`, c.called,
          formatDuration(c.durationSec), c.codec ?? '', c.mos === undefined ? '' : c.mos.toFixed(1),
        ]),
      },
    });
  }

  async #audit(target: RoomTarget): Promise<View> {
    const store = this.#deps.audit;
    if (store === undefined) throw new NotAvailableYetError('The audit log', 'Configure a store to keep one.');
    const records = await store.query({ pbx: target.pbx, room: target.room, limit: 20 });
    if (records.length === 0) return replyView(`No audit entries for ${target.room}.`);
    const entries = records.length === 1 ? 'audit entry' : `${records.length} audit entries`;
    return replyView(`Last ${entries} for ${target.room} (times UTC, newest first).`, {
      table: {
        columns: ['Time', 'Who', 'Command', 'Target', 'Result', 'Ref'],
        rows: records.map((r) => [
          `${new Date(r.at).toISOString().slice(0, 10)} ${formatClock(r.at)}`, `${r.actor.displayName} (${r.actor.platform})`,
          r.command, r.target ?? '', r.decision === 'denied' ? 'denied' : r.detail === CONFIRMATION_ASKED ? 'asked to confirm' : r.detail === NO_CHANGE ? 'no change' : r.outcome, r.correlationId,
        ]),
      },
    });
  }

  #help(topic: SubcommandName | undefined): View {
    if (topic !== undefined) {
      return replyView(`\`${SLASH_COMMAND} ${usageOf(topic)}\`: ${summaryOf(topic)}.`, { title: `${SLASH_COMMAND} ${topic}` });
    }
    return replyView(
      'Write a room as `pbx/room` when several PBXs are configured. Quote text with spaces: `topic 200 3 "bob from cincinnati"`.',
      { title: `${SLASH_COMMAND} commands`, table: { columns: ['Command', 'What it does'], rows: commandTable().map(([u, s]) => [u, s]) } },
    );
  }

  #whoami(env: DispatchEnv): View {
    const { actor } = env;
    const { role, reason } = this.#deps.policy.roleOf(actor, { pbx: undefined, room: undefined });
    const roleText = role === undefined ? 'no role (you can use help and whoami)' : role;
    const local = env.localAdmin ? ' You are the local user, so this bot gave you admin.' : '';
    return replyView(`You are ${actor.displayName} (${actor.platform}:${actor.userId}). Role: ${roleText}; ${reason}.${local}`);
  }

  #list(actor: Actor): View {
    const ids = this.#deps.directory.pbxIds();
    const rows: string[][] = [];
    const down: string[] = [];
    for (const pbx of ids) {
      const state = this.#backend(pbx).state();
      if (!state.available) down.push(`${pbx} (${state.problem === undefined ? 'unreachable' : problemLabel(state.problem)} since ${formatClock(state.since)} UTC)`);
      for (const room of state.rooms.values()) {
        if (room.endedAt !== undefined) continue;
        if (!this.#deps.policy.decide(actor, 'viewer', { pbx, room: room.name }).allowed) continue;
        const flags = [
          room.locked ? 'locked' : '', room.recording ? 'recording' : '', room.muzak !== undefined ? 'music' : '', room.stream !== undefined ? 'streaming' : '',
        ].filter(Boolean).join(', ');
        const running = formatDuration((this.#deps.now() - room.startedAt) / 1000);
        rows.push(ids.length > 1 ? [pbx, room.name, String(room.participants.size), running, flags] : [room.name, String(room.participants.size), running, flags]);
      }
    }
    const banner = down.length === 0 ? '' : ` Not reachable: ${down.join(', ')}.`;
    if (rows.length === 0) return replyView(`No active rooms you can see.${banner}`, { tone: down.length === 0 ? 'info' : 'warning' });
    const columns = ids.length > 1 ? ['PBX', 'Room', 'People', 'Running', 'Flags'] : ['Room', 'People', 'Running', 'Flags'];
    return replyView(`${rows.length} active room${rows.length === 1 ? '' : 's'}.${banner}`, { title: 'Rooms', table: { columns, rows }, tone: down.length === 0 ? 'info' : 'warning' });
  }
}
