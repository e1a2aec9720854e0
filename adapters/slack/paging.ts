import type { MessageRef } from '../../src/core/adapter.ts';
import { decodeAction, tryEncodeAction } from '../../src/core/actions.ts';
import type { StatusView } from '../../src/core/views.ts';

/**
 * Page state of status messages. The adapter keeps the last status view it drew on each message and
 * the page shown, so a Next/Prev press redraws the same message without asking the core.
 */

export interface PageTarget {
  readonly pbx: string;
  readonly room: string;
  readonly page: number;
}

/** Encodes and recognises the action ids of pager buttons. */
export interface PageActionCodec {
  encode(target: PageTarget): string;
  /** The page target, or undefined when `actionId` is not a pager button. */
  decode(actionId: string): PageTarget | undefined;
}

const PREFIX = 'slack.page:';

/** The adapter's own pager ids: `slack.page:<page>:<pbx>/<room>`, never handed to the core. */
export const adapterPageCodec: PageActionCodec = {
  encode: ({ pbx, room, page }) => `${PREFIX}${page}:${encodeURIComponent(pbx)}/${encodeURIComponent(room)}`,
  decode: (actionId) => {
    if (!actionId.startsWith(PREFIX)) return undefined;
    const match = /^(\d{1,6}):([^/]*)\/(.*)$/.exec(actionId.slice(PREFIX.length));
    if (match === null) return undefined;
    const [, page, pbx, room] = match;
    if (page === undefined || pbx === undefined || room === undefined) return undefined;
    try {
      return { page: Number(page), pbx: decodeURIComponent(pbx), room: decodeURIComponent(room) };
    } catch {
      return undefined;
    }
  },
};

/**
 * The core's page action ids (`encodeAction({ kind: 'page', ... })`), falling back to the adapter's
 * own scheme for PBX or room names the core's compact ids cannot carry.
 */
export const corePageCodec: PageActionCodec = {
  encode: (target) => tryEncodeAction({ kind: 'page', ...target }) ?? adapterPageCodec.encode(target),
  decode: (actionId) => {
    if (actionId.startsWith(PREFIX)) return adapterPageCodec.decode(actionId);
    try {
      const action = decodeAction(actionId);
      return action.kind === 'page' ? { pbx: action.pbx, room: action.room, page: action.page } : undefined;
    } catch {
      return undefined;
    }
  },
};

export interface PagedMessage {
  readonly view: StatusView;
  readonly page: number;
}

export function refKey(ref: MessageRef): string {
  return `${ref.conversation}/${ref.id}`;
}

/** Last status view and page per message; the least recently drawn are forgotten past `max`. */
export class PageMemory {
  private readonly entries = new Map<string, PagedMessage>();

  constructor(private readonly max: number) {}

  get(ref: MessageRef): PagedMessage | undefined {
    return this.entries.get(refKey(ref));
  }

  set(ref: MessageRef, entry: PagedMessage): void {
    const key = refKey(ref);
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(ref: MessageRef): void {
    this.entries.delete(refKey(ref));
  }
}
