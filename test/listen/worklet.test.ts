import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Loads public/worklet.js as the browser would, with the AudioWorklet globals stubbed. */
interface Player {
  port: { onmessage: (event: { data: unknown }) => void; postMessage: (message: unknown) => void };
  process(inputs: unknown[], outputs: Float32Array[][]): boolean;
}

function loadPlayer(rate: number): { player: Player; reports: { level: number; bufferedMs: number }[] } {
  const source = readFileSync(new URL('../../src/listen/public/worklet.js', import.meta.url), 'utf8');
  const reports: { level: number; bufferedMs: number }[] = [];
  let Registered: (new () => Player) | undefined;
  class Base {
    port = { onmessage: (_event: { data: unknown }) => undefined as void, postMessage: (m: unknown) => { reports.push(m as { level: number; bufferedMs: number }); } };
  }
  new Function('AudioWorkletProcessor', 'registerProcessor', 'sampleRate', source)(
    Base, (_name: string, ctor: new () => Player) => { Registered = ctor; }, rate,
  );
  if (!Registered) throw new Error('worklet did not register');
  return { player: new Registered(), reports };
}

/** 8 kHz sine chunks of `size` samples, continuous across chunks. */
function sineChunks(count: number, size: number, hz: number): Float32Array[] {
  return Array.from({ length: count }, (_, c) => Float32Array.from({ length: size }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * (c * size + i)) / 8000)));
}

function render(player: Player, blocks: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const block = new Float32Array(128);
    player.process([], [[block]]);
    out.push(...block);
  }
  return out;
}

/** Largest step between neighbouring output samples: a click is a step far above the signal's own slope. */
function maxStep(samples: number[]): number {
  let max = 0;
  for (let i = 1; i < samples.length; i++) max = Math.max(max, Math.abs((samples[i] ?? 0) - (samples[i - 1] ?? 0)));
  return max;
}

describe('player worklet', () => {
  for (const rate of [8000, 48000]) {
    it(`joins 50 ms chunks without clicks at ${rate} Hz`, () => {
      const { player, reports } = loadPlayer(rate);
      for (const chunk of sineChunks(20, 400, 440)) player.port.onmessage({ data: chunk });
      const out = render(player, Math.floor((rate * 0.8) / 128));
      const slope = 0.5 * 2 * Math.PI * 440 / rate;
      expect(maxStep(out)).toBeLessThan(slope * 1.2 + 1e-6);
      expect(Math.max(...out.map(Math.abs))).toBeGreaterThan(0.45);
      expect(reports.some((r) => r.level > 0.2)).toBe(true);
    });
  }

  it('waits for about 150 ms of audio before it starts, and fades out on underrun', () => {
    const { player } = loadPlayer(8000);
    player.port.onmessage({ data: sineChunks(1, 400, 300)[0] });
    expect(render(player, 4).every((s) => s === 0)).toBe(true);
    for (const chunk of sineChunks(3, 400, 300)) player.port.onmessage({ data: chunk });
    const out = render(player, 40);
    expect(Math.max(...out.map(Math.abs))).toBeGreaterThan(0.4);
    expect(maxStep(out)).toBeLessThan(0.5 * 2 * Math.PI * 300 / 8000 * 1.2);
    expect(Math.abs(out.at(-1) ?? 1)).toBe(0);
  });
});
