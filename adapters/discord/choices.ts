import type { RoleGrant } from '../../src/config.ts';
import type { Actor } from '../../src/core/adapter.ts';
import type { RoomDirectory } from '../../src/core/dispatcher.ts';
import { Policy } from '../../src/core/policy.ts';
import { participantLabel } from '../../src/core/views.ts';
import type { OptionSpec } from '../../src/core/commands/spec.ts';
import { AUTOCOMPLETE } from './limits.ts';
import { truncate } from './text.ts';

/**
 * Autocomplete choices from live state: rooms and participants the actor may view (the same role
 * policy the core applies to `show`), matching what they typed so far, at most 25. Pure reads of
 * in-memory state, so Discord's 3 s window is never at risk.
 */

/** What an option autocompletes from, as its spec says. */
export type CompletionField = NonNullable<OptionSpec['autocomplete']>;

export interface Choice {
  readonly name: string;
  readonly value: string;
}

export interface CompletionRequest {
  readonly actor: Actor;
  readonly field: CompletionField;
  readonly typed: string;
  /** The room option's value so far, for participant choices. */
  readonly room: string | undefined;
  /** The subcommand, so `mute|unmute|kick` can offer `all`. */
  readonly subcommand: string;
}

export type Completer = (request: CompletionRequest) => Choice[];

export interface CompleterDeps {
  readonly directory: RoomDirectory;
  readonly grants: readonly RoleGrant[];
  readonly localAdmin?: { readonly platform: string; readonly userId: string };
}

const TAKES_ALL: ReadonlySet<string> = new Set(['mute', 'unmute', 'kick']);

function matches(typed: string, ...texts: readonly string[]): boolean {
  const needle = typed.trim().toLowerCase();
  return needle === '' || texts.some((t) => t.toLowerCase().includes(needle));
}

function choice(name: string, value: string): Choice {
  return { name: truncate(name, AUTOCOMPLETE.name), value: value.slice(0, AUTOCOMPLETE.value) };
}

export function createCompleter(deps: CompleterDeps): Completer {
  const policy = new Policy({ grants: deps.grants, localAdmin: deps.localAdmin });
  const mayView = (actor: Actor, pbx: string, room: string): boolean => policy.decide(actor, 'viewer', { pbx, room }).allowed;

  function rooms(request: CompletionRequest): Choice[] {
    const pbxs = deps.directory.pbxIds();
    const out: Choice[] = [];
    for (const pbx of pbxs) {
      for (const room of deps.directory.backend(pbx).state().rooms.values()) {
        if (room.endedAt !== undefined || !mayView(request.actor, pbx, room.name)) continue;
        const value = pbxs.length > 1 ? `${pbx}/${room.name}` : room.name;
        if (!matches(request.typed, value)) continue;
        const n = room.participants.size;
        out.push(choice(`${value} · ${n} ${n === 1 ? 'person' : 'people'}`, value));
      }
    }
    return out;
  }

  function participants(request: CompletionRequest): Choice[] {
    const found = request.room === undefined ? undefined : deps.directory.findRoom(request.room);
    if (found === undefined || !mayView(request.actor, found.pbx, found.room)) return [];
    const room = deps.directory.backend(found.pbx).state().rooms.get(found.room);
    if (room === undefined) return [];
    const out: Choice[] = TAKES_ALL.has(request.subcommand) && matches(request.typed, 'all') ? [choice('all (everyone in the room)', 'all')] : [];
    for (const p of room.participants.values()) {
      const label = participantLabel(p);
      if (!matches(request.typed, label, p.channel, String(p.usernum ?? ''))) continue;
      out.push(choice(`${label} · ${p.channel}`, p.channel));
    }
    return out;
  }

  return (request) => (request.field === 'room' ? rooms(request) : participants(request)).slice(0, AUTOCOMPLETE.choices);
}
