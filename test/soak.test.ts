import { describe, expect, it } from 'vitest';
import { runSoak, type Figure } from '../bench/soak/soak.ts';

/**
 * The soak's CI version: one minute of the whole bot (shell, Slack, Discord) under 500 PBX changes
 * a second across 50 rooms, an AMI drop at 30 s, a PBX restart at 40 s, 10% of edits answered 429
 * and 2% answered 500, simulated users acting at random, and hangup alerts (abnormal causes, a VIP leaving, a room emptied)
 * acked and resolved at random. `npm run soak` runs it longer.
 */

const figure = (figures: readonly Figure[], label: string): string | number => figures.find((f) => f.label === label)?.value ?? NaN;

describe('soak, one minute', () => {
  it('ends with no crash, no unhandled rejection, every status message true, no duplicate post and no lost action', async () => {
    const result = await runSoak({ durationMs: 60_000, rooms: 50, rate: 500, dropEveryMs: 30_000, restartEveryMs: 40_000 });
    const shown = result.figures.map((f) => `${f.label}: ${f.value}`).join('\n');
    expect({ figures: result.figures.slice(0, 5), details: result.details }, shown).toEqual({
      figures: [
        { label: 'crashes', value: 0 },
        { label: 'unhandled rejections', value: 0 },
        { label: 'wrong final messages', value: 0 },
        { label: 'duplicate posts', value: 0 },
        { label: 'actions lost', value: 0 },
      ],
      details: [],
    });
    // The faults really happened, so the zeros above mean something.
    expect(figure(result.figures, 'ami drops'), shown).toBeGreaterThanOrEqual(1);
    expect(figure(result.figures, 'pbx restarts'), shown).toBeGreaterThanOrEqual(1);
    expect(figure(result.figures, 'edits answered 429'), shown).toBeGreaterThan(0);
    expect(figure(result.figures, 'status messages'), shown).toBe(40);
    expect(figure(result.figures, 'user actions done or refused'), shown).toBeGreaterThan(0);
    expect(figure(result.figures, 'alerts raised'), shown).toBeGreaterThan(0);
    expect(figure(result.figures, 'alerts acked'), shown).toBeGreaterThan(0);
    expect(figure(result.figures, 'alerts resolved'), shown).toBeGreaterThan(0);
  }, 150_000);
});
