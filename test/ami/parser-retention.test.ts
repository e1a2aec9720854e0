import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AmiParser } from '../../src/ami/protocol.ts';

/**
 * A value read from a parsed message and kept (a uniqueid in a room's attendee list, kept for hours)
 * must not keep alive the text of the whole socket read it was cut from. The soak found each kept
 * uniqueid holding a 4 KiB window: a busy room's history grew the heap by megabytes.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function usedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const FRAMES = 2000;

describe('AMI parser values', () => {
  it('kept uniqueids do not retain the text of the frames they came from', () => {
    const padding = 'x'.repeat(3500);
    const parser = new AmiParser({ expectBanner: false });
    const before = usedAfterGc();
    const kept: string[] = [];
    for (let i = 0; i < FRAMES; i++) {
      const frame = `Event: ConfbridgeJoin\r\nConference: 200\r\nUniqueid: 1733221234.${String(i).padStart(5, '0')}\r\nVariable: ${padding}\r\n\r\n`;
      for (const out of parser.push(Buffer.from(frame, 'latin1'))) {
        if (out.kind === 'message') kept.push(out.message.get('Uniqueid') ?? '');
      }
    }
    const perValue = (usedAfterGc() - before) / FRAMES;
    expect(kept[FRAMES - 1]).toBe(`1733221234.0${FRAMES - 1}`);
    expect(new Set(kept).size).toBe(FRAMES);
    // Retaining the frames would cost about 3.6 KB per value; an own copy of 16 characters, tens of bytes.
    expect(perValue).toBeLessThan(400);
  });
});
