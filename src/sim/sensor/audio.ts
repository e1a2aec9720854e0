/**
 * Synthetic "speech-like" audio for the embedded sensor: a voiced tone with a harmonic, shaped into
 * syllables, different per call (pitch and rhythm come from the Call-ID). Pure: the value of sample n
 * depends only on the call and n, so chunks join without clicks however they are cut.
 */

export const SAMPLE_RATE = 8000;
/** The real worker produces 50 ms periods: 400 samples, 800 bytes of s16le. */
export const PERIOD_SAMPLES = 400;
export const PERIOD_BYTES = PERIOD_SAMPLES * 2;

export interface Voice {
  readonly pitchHz: number;
  readonly syllablesPerSec: number;
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function voiceFor(callId: string): Voice {
  const h = hash32(callId);
  return { pitchHz: 180 + (h % 280), syllablesPerSec: 2.5 + ((h >>> 9) % 20) / 10 };
}

/** `count` samples starting at sample `start` of the call, as s16le bytes. */
export function synthesize(voice: Voice, start: number, count: number): Buffer {
  const out = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) {
    const t = (start + i) / SAMPLE_RATE;
    const envelope = 0.15 + 0.85 * Math.abs(Math.sin(Math.PI * voice.syllablesPerSec * t));
    const tone = 0.7 * Math.sin(2 * Math.PI * voice.pitchHz * t) + 0.3 * Math.sin(4 * Math.PI * voice.pitchHz * t);
    out.writeInt16LE(Math.round(9000 * envelope * tone), i * 2);
  }
  return out;
}
