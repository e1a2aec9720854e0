import type { ConferenceDirectory } from '../conference/backend.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import type { ChatAdapter } from './adapter.ts';
import type { Clock } from './clock.ts';
import type { EditEvent } from './edit-scheduler.ts';
import type { LineMarkSource } from './room-history.ts';
import type { StatusOwnership } from './status-ownership.ts';
import type { StatusView, StatusViewInput } from './views.ts';

/** What the status service is built from (main.ts, tests, bench). */
export interface StatusServiceDeps {
  readonly directory: ConferenceDirectory;
  /** By platform name (`ChatAdapter.name`, `Conversation.platform`). */
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  readonly store: Store;
  readonly render?: (input: StatusViewInput) => StatusView;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Keep an ended room's summary watch this long before forgetting it (config `status.keepEndedSec`). */
  readonly keepEndedSec?: number;
  /** Talking-only edits wait at least this long after the previous edit (default 3000 ms). */
  readonly talkingIntervalMs?: number;
  /** After a PBX link comes up, a watched room missing from its state is taken as ended after this long (default 5000 ms). */
  readonly reconcileGraceMs?: number;
  /** Cap on the backoff after transient platform errors (default 30000 ms). */
  readonly maxBackoffMs?: number;
  /** In [0, 1), for backoff jitter. */
  readonly random?: () => number;
  /** Told what became of each change and edit of a status message, by platform (metrics). */
  readonly onEdit?: (platform: string, event: EditEvent) => void;
  /** Several replicas: edits go out only from the owner of each message (absent: this process owns all). */
  readonly ownership?: StatusOwnership;
  /** Line-quality marks as they change (the quality monitor), for each room's end summary (the worst line). */
  readonly lineMarks?: LineMarkSource | undefined;
}
