import { describe, expect, it } from 'vitest';
import type { ConferenceBackend, ConferenceDirectory } from '../../src/conference/backend.ts';
import type { Participant } from '../../src/conference/types.ts';
import type { Actor } from '../../src/core/adapter.ts';
import { LinkSigner } from '../../src/listen/links.ts';
import { createListenService, type SensorCallLister } from '../../src/listen/service.ts';
import { SensorUnreachableError } from '../../src/sensor/errors.ts';
import type { SensorCall } from '../../src/sensor/listcalls.ts';

const actor: Actor = { platform: 'slack', userId: 'U1', displayName: 'Alice', groups: [] };
const signer = new LinkSigner(Buffer.alloc(32, 3));

function sensorCall(callref: string, callId: string, caller: string, called: string, startedAt = 1000): SensorCall {
  return {
    callref, callId, caller, called, callerName: undefined, startedAt, durationSec: 12, connectDurationSec: 11,
    callerCodec: 'PCMU', calledCodec: 'PCMU', mos: 4.4, sensorNumber: 1, lastSipResponse: 200, fields: {},
  };
}

function participant(over: Partial<Participant>): Participant {
  return {
    pbx: 'pbx1', room: '200', uniqueid: '1.1', usernum: 1, channel: 'PJSIP/alice-00000001', tech: 'PJSIP',
    callerNum: '1001', callerName: 'Alice', admin: false, marked: false, muted: false, mutedBy: undefined,
    talking: false, joinedAt: 0, topic: undefined, ...over,
  };
}

function directoryWith(vars: Record<string, string | undefined>, asked: string[] = []): ConferenceDirectory {
  const backend = {
    pbx: 'pbx1',
    getChannelVar: async (channel: string, variable: string) => {
      asked.push(`${channel} ${variable}`);
      return vars[`${channel} ${variable}`];
    },
  } as unknown as ConferenceBackend;
  return { pbxIds: () => ['pbx1'], backend: () => backend, onChange: () => () => undefined };
}

const sensors: SensorCallLister[] = [
  { id: 'a', listCalls: async () => [sensorCall('0x10', 'other@x', '3003', '4004')] },
  { id: 'b', listCalls: async () => [sensorCall('0x20', 'alice-call@x', '1001', '200'), sensorCall('0x30', 'bob@x', '1002', '200')] },
];

function service(directory: ConferenceDirectory, list: SensorCallLister[] = sensors) {
  return createListenService({ directory, sensors: list, signer, publicBaseUrl: 'https://bot.example.com/', now: () => 5000, linkTtlSec: 60 });
}

describe('ListenService', () => {
  it('finds a PJSIP participant by SIP Call-ID across sensors and mints a signed link', async () => {
    const asked: string[] = [];
    const svc = service(directoryWith({ 'PJSIP/alice-00000001 CHANNEL(pjsip,call-id)': 'alice-call@x' }, asked));
    const link = await svc.linkForParticipant(participant({}), actor);
    expect(asked).toEqual(['PJSIP/alice-00000001 CHANNEL(pjsip,call-id)']);
    expect(link.matchedBy).toBe('callid');
    expect(link.call).toMatchObject({ sensor: 'b', callref: '0x20', callId: 'alice-call@x' });
    expect(link.expiresAt).toBe(65_000);
    const token = link.url.replace('https://bot.example.com/listen/', '');
    expect(signer.verify(token, 6000)).toMatchObject({ ok: true, claims: { sensor: 'b', callref: '0x20', callId: 'alice-call@x', actor: { userId: 'U1' } } });
  });

  it('reads SIPCALLID for chan_sip channels', async () => {
    const asked: string[] = [];
    const svc = service(directoryWith({ 'SIP/bob-1 SIPCALLID': 'bob@x' }, asked));
    const link = await svc.linkForParticipant(participant({ channel: 'SIP/bob-1', tech: 'SIP', callerNum: '1002' }), actor);
    expect(asked).toEqual(['SIP/bob-1 SIPCALLID']);
    expect(link).toMatchObject({ matchedBy: 'callid', call: { callref: '0x30' } });
  });

  it('falls back to the caller number, and says so, when there is no Call-ID', async () => {
    const svc = service(directoryWith({}));
    const link = await svc.linkForParticipant(participant({ channel: 'IAX2/x-1', tech: 'IAX2' }), actor);
    expect(link).toMatchObject({ matchedBy: 'number', call: { callref: '0x20', caller: '1001' } });
  });

  it('falls back to the number when reading the Call-ID fails', async () => {
    const directory = directoryWith({});
    const failing = { ...directory, backend: () => ({ getChannelVar: async () => { throw new Error('pbx down'); } }) as unknown as ConferenceBackend };
    const link = await service(failing).linkForParticipant(participant({}), actor);
    expect(link.matchedBy).toBe('number');
  });

  it('throws call_not_found when neither Call-ID nor number matches', async () => {
    const svc = service(directoryWith({ 'PJSIP/alice-00000001 CHANNEL(pjsip,call-id)': 'gone@x' }));
    await expect(svc.linkForParticipant(participant({ callerNum: '9999' }), actor)).rejects.toMatchObject({ code: 'call_not_found' });
  });

  it('links a call reference directly, on one sensor or any', async () => {
    const svc = service(directoryWith({}));
    expect(await svc.linkForCall('0x10', undefined, actor)).toMatchObject({ matchedBy: 'callref', call: { sensor: 'a' } });
    expect(await svc.linkForCall(String(0x30), 'b', actor)).toMatchObject({ call: { callref: '0x30' } });
    await expect(svc.linkForCall('0x10', 'b', actor)).rejects.toMatchObject({ code: 'call_not_found' });
    await expect(svc.linkForCall('0x10', 'nope', actor)).rejects.toMatchObject({ code: 'sensor_not_found' });
  });

  it('lists calls from every reachable sensor, filtered by number or name', async () => {
    const down: SensorCallLister = { id: 'down', listCalls: async () => { throw new SensorUnreachableError('down', 'ECONNREFUSED'); } };
    const svc = service(directoryWith({}), [...sensors, down]);
    expect((await svc.listCalls(undefined)).map((c) => c.callref)).toEqual(['0x10', '0x20', '0x30']);
    expect((await svc.listCalls('1002')).map((c) => c.callref)).toEqual(['0x30']);
    expect(await svc.listCalls(undefined).then((c) => c[0])).toMatchObject({ codec: 'PCMU', mos: 4.4, durationSec: 12 });
  });

  it('reports the sensor error when every sensor is down', async () => {
    const down: SensorCallLister = { id: 'down', listCalls: async () => { throw new SensorUnreachableError('down', 'ECONNREFUSED'); } };
    await expect(service(directoryWith({}), [down]).listCalls(undefined)).rejects.toMatchObject({ code: 'sensor_unreachable' });
  });
});
