import type { MessageRef } from '../../src/core/adapter.ts';
import type { StatusView } from '../../src/core/views.ts';

/**
 * The status view last drawn on each message, so a folded row's menu option can be answered with
 * the button it stands for (and its confirm dialog). Paging is the core's: nothing here turns pages.
 */

export function refKey(ref: MessageRef): string {
  return `${ref.conversation}/${ref.id}`;
}

/** Last status view per message; the least recently drawn are forgotten past `max`. */
export class DrawnStatusViews {
  private readonly entries = new Map<string, StatusView>();

  constructor(private readonly max: number) {}

  get(ref: MessageRef): StatusView | undefined {
    return this.entries.get(refKey(ref));
  }

  set(ref: MessageRef, view: StatusView): void {
    const key = refKey(ref);
    this.entries.delete(key);
    this.entries.set(key, view);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(ref: MessageRef): void {
    this.entries.delete(refKey(ref));
  }
}
