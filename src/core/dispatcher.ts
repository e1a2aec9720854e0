import type { Visibility } from '../kernel/chat.ts';
import { runAction } from './action-handlers.ts';
import { runAlertAction } from './alert-actions.ts';
import type { Action } from './actions.ts';
import { COMMAND_SPECS, specFor, type Command } from './commands/index.ts';
import type { CommandContext } from './commands/spec.ts';
import type { DispatchEnv, DispatcherDeps, Outcome, RoomTarget } from './dispatch-types.ts';
import { UnknownRoomError } from './errors.ts';
import { resolveRoom, type MayView } from './room-lookup.ts';
import { RoomOps } from './room-ops.ts';
import type { StatusView } from './views.ts';

export {
  CONFIRMATION_ASKED, NO_CHANGE, type DispatchEnv, type DispatcherDeps, type Outcome, type PageTurn, type RoomDirectory, type RoomTarget,
} from './dispatch-types.ts';

/** What a dispatch needs to know of the adapter that delivered it. */
export interface AdapterTraits {
  /** The adapter draws ButtonView.confirm as its own dialog before delivering the press. */
  readonly nativeDialogs: boolean;
}

/**
 * Command/press → the spec's handler (or the press handler) → outcome. Authorization has already
 * happened (middleware); lookup, room operations and confirmation live in their own modules.
 */
export class Dispatcher {
  readonly #deps: DispatcherDeps;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /** See room-lookup.ts: the command's spec says whether the room may be inactive. */
  resolveRoom(text: string, command: Command, mayView: MayView): RoomTarget {
    return resolveRoom(this.#deps.directory, text, specFor(command), mayView);
  }

  /** The room a command acts on, as typed, or undefined for commands that have none. */
  roomOf(command: Command): string | undefined {
    return specFor(command).roomOf(command);
  }

  /** Who sees the command's answer, known before it runs. */
  visibilityOf(command: Command): Visibility {
    return specFor(command).visibility(command);
  }

  statusView(target: RoomTarget): StatusView {
    return new RoomOps(this.#deps, false).statusView(target);
  }

  runCommand(command: Command, target: RoomTarget | undefined, env: DispatchEnv, traits: AdapterTraits): Promise<Outcome> {
    const spec = specFor(command);
    const ctx: CommandContext = {
      deps: this.#deps,
      ops: new RoomOps(this.#deps, traits.nativeDialogs),
      env,
      target,
      specs: COMMAND_SPECS,
      room: () => {
        if (target === undefined) throw new UnknownRoomError(spec.roomOf(command) ?? '', undefined);
        return target;
      },
    };
    return spec.handle(command, ctx);
  }

  runAction(action: Action, env: DispatchEnv, traits: AdapterTraits): Promise<Outcome> {
    if (action.kind === 'alert') return runAlertAction(action, this.#deps, env);
    return runAction(action, new RoomOps(this.#deps, traits.nativeDialogs), { ...env, now: this.#deps.now(), nativeDialogs: traits.nativeDialogs });
  }
}
