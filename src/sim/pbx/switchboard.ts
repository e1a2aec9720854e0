import type { Dialplan } from './dialplan.ts';
import type { ChannelState, JoinFlags, PbxModel } from './model.ts';
import { endpointFor, type ChannelNamer } from './naming.ts';
import type { CallerSpec, ChannelTech, PbxDialect } from './types.ts';

export type RouteResult = 'joined' | 'refused' | 'waiting' | 'elsewhere' | 'gone';

/** A channel's caller ID as a dialplan run sets it. */
export interface CallerId {
  readonly num: string | undefined;
  readonly name: string | undefined;
}

/**
 * Runs the dialplan: creates channels the way Asterisk names them and sends them where
 * (context, exten) leads: into a room, onto music on hold, or elsewhere (out of any room).
 * A locked room refuses the caller, who is hung up with cause 0, as in the capture.
 */
export class Switchboard {
  constructor(
    private readonly model: PbxModel,
    private readonly namer: ChannelNamer,
    readonly dialplan: Dialplan,
    private readonly dialect: PbxDialect,
    private readonly callIdGenerator: () => string,
  ) {}

  defaultTech(): ChannelTech {
    return this.dialect === 'confbridge' ? 'PJSIP' : 'SIP';
  }

  /** A single (non-Local) channel, as an inbound call or an originated leg. */
  newChannel(tech: Exclude<ChannelTech, 'Local'>, endpoint: string, caller: CallerId & Pick<CallerSpec, 'codec'>, at: { context: string; exten: string }, state: 0 | 4): ChannelState {
    const sip = tech === 'PJSIP' || tech === 'SIP';
    return this.model.addChannel({
      name: this.namer.name(tech, endpoint),
      uniqueid: this.namer.uniqueid(),
      tech,
      ...(caller.num === undefined ? {} : { callerNum: caller.num }),
      ...(caller.name === undefined ? {} : { callerName: caller.name }),
      context: at.context,
      exten: at.exten,
      state,
      ...(sip ? { callId: this.callIdGenerator() } : {}),
      ...(caller.codec === undefined ? {} : { codec: caller.codec }),
    });
  }

  /** Both halves of `Local/<exten>@<context>`: `;1` stays with the originator, `;2` runs the extension. */
  localPair(exten: string, context: string): readonly [ChannelState, ChannelState] {
    const [n1, n2] = this.namer.localPair(exten, context);
    const one = this.model.addChannel({ name: n1, uniqueid: this.namer.uniqueid(), tech: 'Local', context, exten, state: 0 });
    const two = this.model.addChannel({
      name: n2, uniqueid: this.namer.uniqueid(), linkedid: one.linkedid, tech: 'Local', context, exten, state: 4,
    });
    one.peer = two.uniqueid;
    two.peer = one.uniqueid;
    return [one, two];
  }

  setCallerId(ch: ChannelState, caller: CallerId): void {
    if (caller.num !== undefined) ch.callerNum = caller.num;
    if (caller.name !== undefined) ch.callerName = caller.name;
  }

  /** A phone dials (context, exten): the channel that ends up running the extension. */
  dialIn(caller: CallerSpec, at: { context: string; exten: string }): { channel: ChannelState; result: RouteResult } {
    const tech = caller.tech ?? this.defaultTech();
    const id: CallerId = { num: caller.num, name: caller.name };
    let ch: ChannelState;
    if (tech === 'Local') {
      const [one, two] = this.localPair(at.exten, at.context);
      for (const half of [one, two]) this.setCallerId(half, id);
      one.state = 6;
      one.application = 'Wait';
      one.applicationData = '3600';
      ch = two;
    } else {
      ch = this.newChannel(tech, caller.endpoint ?? endpointFor(caller.num, caller.name), { ...id, ...(caller.codec === undefined ? {} : { codec: caller.codec }) }, at, 4);
    }
    const result = this.route(ch.uniqueid, at, {
      admin: caller.admin ?? false, marked: caller.marked ?? false, muted: caller.muted ?? false,
    });
    return { channel: ch, result };
  }

  /** Sends an existing channel to (context, exten). */
  route(uniqueid: string, at: { context: string; exten: string }, flags: JoinFlags = NO_FLAGS): RouteResult {
    const ch = this.model.channels.get(uniqueid);
    if (!ch) return 'gone';
    const dest = this.dialplan.resolve(at.context, at.exten);
    if (dest.kind !== 'room') {
      this.model.park(uniqueid, at.context, at.exten, dest.kind === 'moh');
      return dest.kind === 'moh' ? 'waiting' : 'elsewhere';
    }
    ch.context = at.context;
    ch.exten = at.exten;
    return this.enter(uniqueid, dest.room, {
      admin: dest.admin || flags.admin, marked: dest.marked || flags.marked, muted: flags.muted,
    });
  }

  /** Puts a channel into a room directly (the `ConfBridge`/`MeetMe` application). */
  enter(uniqueid: string, room: string, flags: JoinFlags): RouteResult {
    const isNew = !this.model.rooms.has(room);
    const res = this.model.enterRoom(uniqueid, room, flags);
    if (isNew && this.model.rooms.has(room)) this.namer.announcer();
    if (res === 'no-channel') return 'gone';
    if (res === 'locked') {
      this.model.hangup(uniqueid, 0);
      return 'refused';
    }
    // MeetMe has no Muted field in MeetmeJoin: a caller joining muted shows as a MeetmeMute right after.
    // The `m` option starts the caller self-muted (CONFFLAG_STARTMUTED).
    if (flags.muted && this.dialect !== 'confbridge') this.model.setMuted(uniqueid, true, 'self');
    return 'joined';
  }
}

const NO_FLAGS: JoinFlags = { admin: false, marked: false, muted: false };
