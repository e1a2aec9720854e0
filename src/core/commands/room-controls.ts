import { z } from 'zod';
import type { Actor } from '../../kernel/chat.ts';
import type { Outcome, RoomTarget } from '../dispatch-types.ts';
import type { RoomOps } from '../room-ops.ts';
import { replyView } from '../views.ts';
import { onOff, room, startStop } from './grammar.ts';
import { ROOM_OPTION, roomField, roomOnlyFacts, type CommandSpec } from './spec.ts';

export interface LockCommand<N extends 'lock' | 'unlock'> { readonly name: N; readonly room: string }
export interface ToggleCommand<N extends 'record' | 'muzak' | 'stream'> { readonly name: N; readonly room: string; readonly on: boolean }

async function toggle(ops: RoomOps, target: RoomTarget, what: 'record' | 'muzak' | 'stream', on: boolean, actor: Actor): Promise<Outcome> {
  const backend = ops.backend(target.pbx);
  // ConfBridge refuses a second StartRecord (and a StopRecord with nothing recording) with an error
  // that reads like a fault; the held state answers the question without asking the PBX.
  if (what === 'record' && ops.held(target)?.recording === on) {
    return ops.unchanged(`Room ${target.room} is ${on ? 'already recording' : 'not recording'}.`, target.room);
  }
  // Like the other "already" answers: said plainly, without originating a second channel.
  if (what !== 'record' && on && ops.held(target)?.[what] !== undefined) {
    return ops.unchanged(`${what === 'muzak' ? 'Music' : 'The stream'} is already playing in ${target.room}.`, target.room);
  }
  if (what === 'record') await backend.record(target.room, on);
  else if (what === 'muzak') await backend.muzak(target.room, on);
  else await backend.stream(target.room, on);
  const phrase = what === 'record' ? (on ? 'started recording' : 'stopped recording') : `turned ${what} ${on ? 'on' : 'off'}`;
  ops.note(target, actor, phrase);
  const text = what === 'record' ? `Recording ${on ? 'started' : 'stopped'} in ${target.room}.` : `${what === 'muzak' ? 'Music' : 'Streaming'} ${on ? 'on' : 'off'} in ${target.room}.`;
  return { view: replyView(text, { tone: 'success' }), target: target.room };
}

const moderatorInChannel = {
  leastRole: 'moderator' as const, roomMayBeInactive: false, role: () => 'moderator' as const, visibility: () => 'channel' as const,
};

export const lockSpec: CommandSpec<LockCommand<'lock'>> = {
  name: 'lock', usage: 'lock <room>', summary: 'let nobody else join', ...roomOnlyFacts('lock'), ...moderatorInChannel,
  handle: (_c, ctx) => ctx.ops.lock(ctx.room(), true, ctx.env.actor),
};

export const unlockSpec: CommandSpec<LockCommand<'unlock'>> = {
  name: 'unlock', usage: 'unlock <room>', summary: 'let people join again', ...roomOnlyFacts('unlock'), ...moderatorInChannel,
  handle: (_c, ctx) => ctx.ops.lock(ctx.room(), false, ctx.env.actor),
};

/** `<verb> on|off <room>`: the switch comes first, as people say it ("record start 200"). */
function toggleSpec<N extends 'record' | 'muzak' | 'stream'>(
  name: N, words: readonly [string, string], switchWord: typeof onOff | typeof startStop, summary: string,
): CommandSpec<ToggleCommand<N>> {
  return {
    name, usage: `${name} ${words.join('|')} <room>`, summary, minArgs: 2, maxArgs: 2,
    grammar: z.tuple([switchWord, room]).transform(([on, r]) => ({ name, room: r, on })),
    options: [{ name: 'switch', description: words.join(' or '), type: 'string', required: true, choices: words }, ROOM_OPTION],
    confirmation: 'never', ...moderatorInChannel, scope: () => 'room', roomOf: roomField, auditTarget: roomField,
    wordsFromOptions: (v) => [String(v.switch ?? ''), String(v.room ?? '')],
    handle: (c, ctx) => toggle(ctx.ops, ctx.room(), name, c.on, ctx.env.actor),
  };
}

export const recordSpec = toggleSpec('record', ['start', 'stop'], startStop, 'start or stop recording the room');
export const muzakSpec = toggleSpec('muzak', ['on', 'off'], onOff, 'play music into the room');
export const streamSpec = toggleSpec('stream', ['on', 'off'], onOff, 'stream the room to the configured target');
