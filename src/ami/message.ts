/**
 * One AMI message (a Response or an Event) as it came off the wire. Keys keep their original
 * spelling and order; look-ups are case-insensitive because Asterisk spells keys inconsistently
 * (`ActionID`, `Actionid`). Repeated keys (`Output`, `Variable`, `ChanVariable`) are all kept.
 */
export type AmiHeader = readonly [key: string, value: string];

export class AmiMessage {
  readonly headers: readonly AmiHeader[];
  /** Raw CLI lines of a legacy `Response: Follows` answer (up to, not including, `--END COMMAND--`). */
  readonly body: readonly string[] | undefined;

  constructor(headers: readonly AmiHeader[], body?: readonly string[]) {
    this.headers = headers;
    this.body = body;
  }

  /** First value of `key`, compared case-insensitively. */
  get(key: string): string | undefined {
    const wanted = key.toLowerCase();
    for (const [k, v] of this.headers) {
      if (k.length === wanted.length && k.toLowerCase() === wanted) return v;
    }
    return undefined;
  }

  /** Every value of `key`, in wire order. */
  getAll(key: string): string[] {
    const wanted = key.toLowerCase();
    const out: string[] = [];
    for (const [k, v] of this.headers) {
      if (k.length === wanted.length && k.toLowerCase() === wanted) out.push(v);
    }
    return out;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** `Event` name, if this is an event. */
  get event(): string | undefined {
    return this.get('Event');
  }

  /** `Response` value (`Success`, `Error`, `Follows`, `Goodbye`), if this is a response. */
  get response(): string | undefined {
    return this.get('Response');
  }

  get actionId(): string | undefined {
    return this.get('ActionID');
  }

  /** Lower-cased keys; a repeated key becomes an array. For validation with zod schemas. */
  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of this.headers) {
      const lk = k.toLowerCase();
      const prev = out[lk];
      if (prev === undefined) out[lk] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[lk] = [prev, v];
    }
    return out;
  }
}
