import { describe, expect, it } from 'vitest';
import { renderView as renderDiscord } from '../../adapters/discord/render.ts';
import { renderView as renderShell } from '../../adapters/shell/render.ts';
import { renderView as renderSlack } from '../../adapters/slack/render.ts';
import type { Room } from '../../src/conference/types.ts';
import {
  applyChange, historyFromRoom, parseHistory, qualitySummary, serializeHistory, summaryOf, withLineQuality, type LineQualityNote, type RoomHistory,
} from '../../src/core/room-history.ts';
import { buildStatusView } from '../../src/core/views.ts';
import { participant } from './status-fakes.ts';

/** The room end summary's line quality: the worst line and how long it was poor. */

const tim = participant('200', 1, { callerName: 'Tim', callerNum: '701' });
const ann = participant('200', 2, { callerName: 'Ann', callerNum: '702' });
const SEC = 1_000;

function room(over: Partial<Room> = {}): Room {
  return {
    pbx: 'pbx1', name: '200', dialect: 'confbridge', participants: new Map([[tim.uniqueid, tim], [ann.uniqueid, ann]]), locked: false,
    recording: false, muzak: undefined, stream: undefined, startedAt: 0, peakSize: 2, endedAt: undefined, ...over,
  };
}

function note(who: typeof tim, mark: LineQualityNote['mark'], mos: number | undefined, since: number): LineQualityNote {
  return { uniqueid: who.uniqueid, label: `${who.callerName} (${who.callerNum})`, mark, mos, since };
}

function fold(h: RoomHistory, notes: readonly [at: number, n: LineQualityNote][]): RoomHistory {
  return notes.reduce((acc, [at, n]) => withLineQuality(acc, n, at), h);
}

describe('room history: line quality', () => {
  it('counts a poor spell from when the mark turned poor until it turned back, and names the worst line', () => {
    const h = fold(historyFromRoom('pbx1', '200', room(), 0), [
      [10 * SEC, note(tim, 'good', 4.3, 0)],
      [20 * SEC, note(ann, 'fair', 3.8, 0)],
      [40 * SEC, note(tim, 'poor', 2.4, 35 * SEC)],
      [60 * SEC, note(tim, 'poor', 2.1, 35 * SEC)],
      [115 * SEC, note(tim, 'good', 4.1, 115 * SEC)],
    ]);
    expect(qualitySummary(h, 200 * SEC)).toBe('Worst line: Tim (701), poor for 1m 20s (MOS 2.1)');
  });

  it('ranks by time spent poor, over several spells, then by the lowest MOS', () => {
    const h = fold(historyFromRoom('pbx1', '200', room(), 0), [
      [10 * SEC, note(ann, 'poor', 1.5, 10 * SEC)],
      [20 * SEC, note(ann, 'good', 4.0, 20 * SEC)],
      [30 * SEC, note(tim, 'poor', 2.9, 30 * SEC)],
      [45 * SEC, note(tim, 'good', 4.0, 45 * SEC)],
      [50 * SEC, note(ann, 'poor', 1.5, 50 * SEC)],
      [60 * SEC, note(ann, 'fair', 3.7, 60 * SEC)],
    ]);
    expect(qualitySummary(h, 100 * SEC)).toBe('Worst line: Ann (702), poor for 20s (MOS 1.5)');
  });

  it('closes a spell when the caller leaves, and every spell when the room ends', () => {
    let h = fold(historyFromRoom('pbx1', '200', room(), 0), [[10 * SEC, note(tim, 'poor', 2.0, 10 * SEC)], [10 * SEC, note(ann, 'poor', 2.5, 10 * SEC)]]);
    h = applyChange(h, { type: 'left', pbx: 'pbx1', room: '200', participant: tim }, room({ participants: new Map([[ann.uniqueid, ann]]) }), 30 * SEC);
    expect(h.lines?.find((l) => l.key === tim.uniqueid)).toMatchObject({ poorMs: 20 * SEC, poorSince: undefined });
    const final = room({ participants: new Map([[ann.uniqueid, ann]]), endedAt: 100 * SEC });
    h = applyChange(h, { type: 'room_ended', pbx: 'pbx1', room: '200', final }, undefined, 101 * SEC);
    expect(h.lines?.find((l) => l.key === ann.uniqueid)).toMatchObject({ poorMs: 90 * SEC, poorSince: undefined });
    expect(summaryOf(h).quality).toBe('Worst line: Ann (702), poor for 1m 30s (MOS 2.5)');
  });

  it('changes nothing for a steady line, so it costs no store write', () => {
    const h = withLineQuality(historyFromRoom('pbx1', '200', room(), 0), note(tim, 'poor', 2.0, 5 * SEC), 10 * SEC);
    expect(withLineQuality(h, note(tim, 'poor', 2.2, 5 * SEC), 15 * SEC)).toBe(h);
  });

  it('says no line was poor, with the lowest MOS, and says nothing when the sensor measured no line', () => {
    const h = fold(historyFromRoom('pbx1', '200', room(), 0), [[10 * SEC, note(tim, 'good', 4.2, 0)], [10 * SEC, note(ann, 'fair', 3.8, 0)]]);
    expect(qualitySummary(h, 20 * SEC)).toBe('No poor lines (2 measured; lowest MOS 3.8, Ann (702))');
    const none = historyFromRoom('pbx1', '200', room(), 0);
    expect(qualitySummary(none, 20 * SEC)).toBeUndefined();
    expect(summaryOf(none)).toEqual({ attendees: ['Tim (701)', 'Ann (702)'], actions: [] });
  });

  it('survives the store, and reads back a history written before line quality existed', () => {
    const h = fold(historyFromRoom('pbx1', '200', room(), 0), [[10 * SEC, note(tim, 'poor', 2.0, 10 * SEC)]]);
    expect(parseHistory(serializeHistory(h))?.lines).toEqual(h.lines);
    const { lines: _lines, ...old } = h;
    expect(parseHistory(JSON.stringify(old))?.lines).toBeUndefined();
  });

  it('shows the line in the ended room\'s status summary', () => {
    let h = fold(historyFromRoom('pbx1', '200', room(), 0), [[10 * SEC, note(tim, 'poor', 2.1, 10 * SEC)]]);
    const final = room({ endedAt: 50 * SEC });
    h = applyChange(h, { type: 'room_ended', pbx: 'pbx1', room: '200', final }, undefined, 50 * SEC);
    const view = buildStatusView({ pbx: 'pbx1', roomName: '200', room: final, available: true, since: 0, now: 60 * SEC, history: summaryOf(h) });
    expect(view.ended?.quality).toBe('Worst line: Tim (701), poor for 40s (MOS 2.1)');
    expect(renderShell(view).text).toContain('Worst line: Tim (701), poor for 40s (MOS 2.1)');
    expect(JSON.stringify(renderSlack(view).blocks)).toContain('*Line quality:* Worst line: Tim (701), poor for 40s (MOS 2.1)');
    const discord = renderDiscord(view);
    expect(JSON.stringify(discord)).toContain('"name":"Line quality","value":"Worst line: Tim (701), poor for 40s (MOS 2.1)"');
  });
});
