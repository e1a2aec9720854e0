import type { ConferenceDirectory } from '../conference/backend.ts';
import { problemLabel } from '../conference/link-problem.ts';
import type { ChatAdapter } from '../core/adapter.ts';
import type { ReadinessCheck } from './server.ts';

/** An adapter that can tell it is down (a dead token, a lost gateway session). */
interface ReadinessAware {
  isReady(): boolean;
  downReason?(): string | undefined;
}

function readinessAware(adapter: ChatAdapter): adapter is ChatAdapter & ReadinessAware {
  return typeof (adapter as Partial<ReadinessAware>).isReady === 'function';
}

/** /readyz: every PBX link and every chat adapter is required; the bot is of no use without them. */
export function readinessChecks(directory: ConferenceDirectory, adapters: ReadonlyMap<string, ChatAdapter>): ReadinessCheck[] {
  const pbxs = directory.pbxIds().map((pbx): ReadinessCheck => ({
    name: pbx, kind: 'pbx', required: true,
    check: () => {
      const state = directory.backend(pbx).state();
      if (state.problem !== undefined) return { ok: state.available && state.problem.kind !== 'login_refused' && state.problem.kind !== 'unreachable', detail: problemLabel(state.problem) };
      return state.available ? { ok: true } : { ok: false, detail: 'unreachable' };
    },
  }));
  const chats = [...adapters.values()].map((adapter): ReadinessCheck => ({
    name: adapter.name, kind: 'adapter', required: true,
    check: () => {
      if (!readinessAware(adapter) || adapter.isReady()) return { ok: true };
      const reason = adapter.downReason?.();
      return reason === undefined ? { ok: false } : { ok: false, detail: reason };
    },
  }));
  return [...pbxs, ...chats];
}
