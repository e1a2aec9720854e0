import { describe, expect, it } from 'vitest';
import type { RoleGrant } from '../../src/config.ts';
import { Bot, type BotDeps } from '../../src/core/bot.ts';
import type { ParticipantLineSummary, QualityService } from '../../src/core/services.ts';
import type { ReplyView, View } from '../../src/core/views.ts';
import { actor, FakeBackend, FakeDirectory, inbound, MemoryAuditStore, participant, RecordingAdapter, room, T0 } from './fakes.ts';

const VIEW: RoleGrant = { role: 'viewer', users: ['test:viewer'], groups: [], pbx: 'pbx1', rooms: '200' };

const TIM: ParticipantLineSummary = {
  uniqueid: '1700000000.1', label: 'Tim (701)',
  line: { mark: 'poor', mosFromCaller: 2.7, mosToCaller: 3.3, loss10s: 12, lossTotal: 3.4, jitterMs: 45, codec: 'PCMU', sensor: 's1' },
};
const ANN: ParticipantLineSummary = {
  uniqueid: '1700000000.2', label: 'Caller2 (702)',
  line: { mark: 'good', mosFromCaller: 4.5, mosToCaller: 4.4, loss10s: 0, lossTotal: 0, jitterMs: 0.06, codec: 'PCMA', sensor: 's1' },
};
const IAX: ParticipantLineSummary = { uniqueid: '1700000000.3', label: 'Caller3 (703)', line: undefined };

function setup(extra: Partial<BotDeps> = {}) {
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1, { callerName: 'Tim', callerNum: '701' }), participant('200', 2), participant('200', 3)]));
  pbx.add(room('300', [participant('300', 4)]));
  const adapter = new RecordingAdapter();
  const bot = new Bot({ directory: new FakeDirectory(pbx), grants: [VIEW], audit: new MemoryAuditStore(), now: () => T0, newCorrelationId: () => 'c1', ...extra });
  const handlers = bot.handlersFor(adapter);
  return async (who: string, text: string) => {
    await handlers.command(inbound(actor(who)), text);
    return adapter.last();
  };
}

function reply(view: View): ReplyView {
  if (view.kind !== 'reply') throw new Error(`expected a reply, got ${view.kind}`);
  return view;
}

const service = (lines: ParticipantLineSummary[]): QualityService => ({ roomLines: async () => lines });

describe('quality command', () => {
  it('shows MOS both ways, loss, jitter, codec and sensor for everyone, and names the poor lines', async () => {
    const run = setup({ quality: service([TIM, ANN, IAX]) });
    const out = await run('viewer', 'quality 200');
    expect(out.ephemeral).toBe(true);
    const view = reply(out.view);
    expect(view.text).toBe('Line quality in room 200: poor for Tim (701).');
    expect(view.tone).toBe('warning');
    expect(view.table?.columns).toEqual(['Who', 'Line', 'MOS from/to caller', 'Loss 10s', 'Loss', 'Jitter', 'Codec', 'Sensor']);
    expect(view.table?.rows).toEqual([
      ['Tim (701)', 'poor', '2.7 / 3.3', '12%', '3.4%', '45 ms', 'PCMU', 's1'],
      ['Caller2 (702)', 'good', '4.5 / 4.4', '0.0%', '0.0%', '0.1 ms', 'PCMA', 's1'],
      ['Caller3 (703)', 'not seen', '', '', '', '', '', ''],
    ]);
  });

  it('narrows to one participant', async () => {
    const run = setup({ quality: service([TIM, ANN, IAX]) });
    const view = reply((await run('viewer', 'quality 200 702')).view);
    expect(view.table?.rows.map((r) => r[0])).toEqual(['Caller2 (702)']);
    expect(view.text).toBe('Line quality in Caller2 (702).');
  });

  it('says so when no sensor sees the call, rather than showing an empty table', async () => {
    const run = setup({ quality: service([TIM, ANN, IAX]) });
    const view = reply((await run('viewer', 'quality 200 703')).view);
    expect(view.text).toMatch(/^No sensor sees the call of Caller3 \(703\)\./);
    expect(view.table).toBeUndefined();
  });

  it('errors for a missing room, an unknown room or participant, and without sensors', async () => {
    const run = setup({ quality: service([TIM]) });
    expect(reply((await run('viewer', 'quality')).view).text).toBe('Missing arguments. Usage: `quality <room> [who]`');
    expect(reply((await run('viewer', 'quality 999')).view).text).toBe('No room `999` is active.');
    expect(reply((await run('viewer', 'quality 200 nobody')).view).text).toMatch(/^Nobody matches "nobody" in room 200/);
    expect(reply((await setup()('viewer', 'quality 200')).view).text).toMatch(/Line quality: not available/);
  });

  it('needs the viewer role on the room, like show', async () => {
    const run = setup({ quality: service([TIM]) });
    const refused = 'You are not allowed to run `quality` here (needs the viewer role).';
    expect(reply((await run('viewer', 'quality 300')).view).text).toBe(refused);
    expect(reply((await run('stranger', 'quality 200')).view).text).toBe(refused);
  });
});
