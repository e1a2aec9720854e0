import { afterEach, describe, expect, it } from 'vitest';
import { startDemo, startEmbeddedPbx, type EmbeddedPbx } from '../../../src/sim/pbx/index.ts';
import { RawAmi } from './raw-ami.ts';

/** Small deterministic PRNG (mulberry32), so the demo's script is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('embedded PBX demo', () => {
  let pbx: EmbeddedPbx;
  afterEach(async () => {
    await pbx.stop();
  });

  async function run(seed: number, ticks: number): Promise<string[]> {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge' });
    const ami = await RawAmi.login(pbx.port);
    const demo = startDemo(pbx, { rooms: ['200', '201'], rng: seeded(seed), tickMs: 60_000 });
    for (let i = 0; i < ticks; i++) demo.tick();
    demo.stop();
    await ami.action('Ping');
    ami.close();
    return ami.messages.flatMap((m) => (m.event?.startsWith('Confbridge') || m.event === 'Hangup' ? [m.event] : []));
  }

  it('keeps its rooms populated, with people joining, talking, being muted and leaving', async () => {
    const events = await run(7, 200);
    for (const name of ['ConfbridgeJoin', 'ConfbridgeLeave', 'ConfbridgeTalking', 'ConfbridgeMute', 'Hangup']) {
      expect(events).toContain(name);
    }
    const rooms = pbx.rooms();
    expect(rooms.map((r) => r.name).sort()).toEqual(['200', '201']);
    for (const r of rooms) expect(r.participants.length).toBeGreaterThanOrEqual(2);
  });

  it('plays the same script for the same seed', async () => {
    const first = await run(42, 60);
    await pbx.stop();
    const second = await run(42, 60);
    expect(second).toEqual(first);
  });
});
