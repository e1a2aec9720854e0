import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ListCallsFormatError, parseListCalls, sameCallref } from '../../src/sensor/listcalls.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/voipmonitor/${name}`, import.meta.url), 'utf8');

describe('parseListCalls', () => {
  it('reads the header-only reply of an idle sensor as no calls', () => {
    expect(parseListCalls(fixture('listcalls.nocalls.reply'))).toEqual({ calls: [], summary: undefined });
  });

  it('types an active call from the real reply by header name', () => {
    const { calls } = parseListCalls(fixture('listcalls.activecall.reply'));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      callref: '0x7fdcfc00b2e0',
      callId: 'd1d03611d4382d8e@fakecall.local',
      caller: '1001',
      called: '2002',
      callerName: 'Alice 1001',
      startedAt: 1795368298000,
      durationSec: 2,
      connectDurationSec: 1,
      callerCodec: 'PCMU',
      calledCodec: 'PCMU',
      mos: 4.5,
      sensorNumber: 1,
      lastSipResponse: 200,
    });
    expect(calls[0]?.fields['vlan']).toBe(65534);
  });

  it('keeps both calls of the two-call reply apart', () => {
    const { calls } = parseListCalls(fixture('listcalls.twocalls.reply'));
    expect(calls.map((c) => [c.callref, c.caller, c.called])).toEqual([
      ['0x7fefec00b2b0', '3003', '4004'],
      ['0x7fefec014ba0', '1001', '2002'],
    ]);
  });

  it('skips the summary row of a reply to listcalls with params and returns it separately', () => {
    const reply = parseListCalls(fixture('listcalls_json_limit10.activecall.reply'));
    expect(reply.summary).toEqual({ total: 1, idSensor: 1 });
    expect(reply.calls.map((c) => c.callref)).toEqual(['0x7fdcfc00b2e0']);
  });

  it('reads the bare summary object of limit 0 as no calls', () => {
    expect(parseListCalls(fixture('listcalls_json_limit0.nocalls.reply'))).toEqual({ calls: [], summary: { total: 0, idSensor: 1 } });
  });

  it('tolerates columns in another order, extra custom columns and missing columns', () => {
    const reply = JSON.stringify([
      ['X-Custom', 'called', 'callreference', 'caller'],
      ['tenant-7', '2002', '0xabc', '1001'],
      ['short-row'],
    ]);
    const { calls } = parseListCalls(reply);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ callref: '0xabc', caller: '1001', called: '2002', callId: '', callerCodec: undefined, mos: undefined, durationSec: 0 });
    expect(calls[0]?.fields['X-Custom']).toBe('tenant-7');
  });

  it('rejects replies that are not listcalls JSON', () => {
    expect(() => parseListCalls('need aes!\n')).toThrow(ListCallsFormatError);
    expect(() => parseListCalls('[]')).toThrow(ListCallsFormatError);
    expect(() => parseListCalls('[[1,2]]')).toThrow(ListCallsFormatError);
  });
});

describe('sameCallref', () => {
  it('treats hex and decimal spellings of one reference as the same', () => {
    expect(sameCallref('0x7fdcfc00b2e0', String(0x7fdcfc00b2e0))).toBe(true);
    expect(sameCallref('0x7fdcfc00b2e0', '0x7fdcfc00b2e1')).toBe(false);
  });
});
