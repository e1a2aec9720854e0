import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AmiParserOutput } from '../../../src/ami/protocol.ts';

/** Raw AMI transcripts: real Asterisk captures plus hand-written MeetMe and line-ending cases. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'ami');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURE_DIR, name));
}

export function rawFixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.raw')).sort();
}

export function jsonlFixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.jsonl')).sort();
}

export interface RecordedRead {
  readonly dir: 'c2s' | 's2c';
  readonly bytes: Buffer;
}

/** The socket reads and writes of a capture, in the order they happened (`eof` markers dropped). */
export function recordedSegments(name: string): RecordedRead[] {
  const out: RecordedRead[] = [];
  for (const line of fixture(name).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const rec = JSON.parse(line) as { dir?: 'c2s' | 's2c'; b64?: string };
    if (rec.dir !== undefined && rec.b64 !== undefined) out.push({ dir: rec.dir, bytes: Buffer.from(rec.b64, 'base64') });
  }
  return out;
}

export type PlainOutput =
  | { kind: 'banner'; version: string; line: string }
  | { kind: 'message'; headers: [string, string][]; body: string[] | undefined }
  | { kind: 'error'; code: string };

/** Parser output as plain data, for deep equality. */
export function plain(outputs: readonly AmiParserOutput[]): PlainOutput[] {
  return outputs.map((o): PlainOutput => {
    if (o.kind === 'message') {
      return {
        kind: 'message',
        headers: o.message.headers.map(([k, v]) => [k, v]),
        body: o.message.body === undefined ? undefined : [...o.message.body],
      };
    }
    if (o.kind === 'error') return { kind: 'error', code: o.error.code };
    return o;
  });
}
