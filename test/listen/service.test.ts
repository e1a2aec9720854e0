import { describe, expect, it } from 'vitest';
import type { ConferenceBackend, ConferenceDirectory } from '../../src/conference/backend.ts';
import type { Participant } from '../../src/conference/types.ts';
import type { Actor } from '../../src/core/adapter.ts';
import { LinkSigner } from '../../src/listen/links.ts';
import { createListenService, normalizeNumber, type SensorCallLister } from '../../src/listen/service.ts';
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
    // A SIP channel whose Call-ID variable is unset has no Call-ID either.
    expect(await svc.linkForParticipant(participant({}), actor)).toMatchObject({ matchedBy: 'number', call: { callref: '0x20' } });
  });

  it('refuses to guess by number when reading the Call-ID fails', async () => {
    const directory = directoryWith({});
    const failing = { ...directory, backend: () => ({ getChannelVar: async () => { throw new Error('pbx down'); } }) as unknown as ConferenceBackend };
    const err = await service(failing).linkForParticipant(participant({}), actor).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'call_id_unreadable' });
    expect((err as { userMessage: string }).userMessage).toMatch(/Cannot read the SIP Call-ID of Alice/);
  });

  it('does not fall back to the number when the Call-ID is known but no sensor lists it', async () => {
    // 1001 is on sensor b as another call: a link to it would be someone else's conversation.
    const svc = service(directoryWith({ 'PJSIP/alice-00000001 CHANNEL(pjsip,call-id)': 'not-yet@x' }));
    const err = await svc.linkForParticipant(participant({ callerNum: '1001' }), actor).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'call_not_found' });
    expect((err as { userMessage: string }).userMessage).toMatch(/sensors do not see the call of Alice \(yet\)/);
  });

  it('throws call_not_found when a participant without Call-ID matches no number', async () => {
    const svc = service(directoryWith({}));
    await expect(svc.linkForParticipant(participant({ tech: 'IAX2', channel: 'IAX2/x-1', callerNum: '9999' }), actor)).rejects.toMatchObject({ code: 'call_not_found' });
  });

  it('refuses an ambiguous number match and lists every candidate call', async () => {
    const twice: SensorCallLister[] = [
      { id: 'a', listCalls: async () => [sensorCall('0x10', 'one@x', '1001', '200', 1000)] },
      { id: 'b', listCalls: async () => [sensorCall('0x20', 'two@x', '+1001', '300', 2000)] },
    ];
    const err = await service(directoryWith({}), twice).linkForParticipant(participant({ tech: 'IAX2', channel: 'IAX2/x-1' }), actor).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ambiguous_call' });
    const text = (err as { userMessage: string }).userMessage;
    expect(text).toContain('1001 → 200, 0:12, sensor a, callref 0x10');
    expect(text).toContain('+1001 → 300, 0:12, sensor b, callref 0x20');
    expect(text).toContain('listen call');
    // Newest first, so the likeliest call heads the list.
    expect(text.indexOf('0x20')).toBeLessThan(text.indexOf('0x10'));
  });

  it('normalises numbers: +49, 0049 and 49 match, spaces and dashes do not matter', async () => {
    expect(new Set(['+49 30 1234-5', '0049301234 5', '49-30-12345', '(49) 30.12345'].map(normalizeNumber))).toEqual(new Set(['493012345']));
    expect(normalizeNumber('Alice')).toBe('alice');
    const intl: SensorCallLister[] = [{ id: 'a', listCalls: async () => [sensorCall('0x10', 'x@x', '+49 30 12345', '200')] }];
    const link = await service(directoryWith({}), intl).linkForParticipant(participant({ tech: 'IAX2', channel: 'IAX2/x-1', callerNum: '0049-30-12345' }), actor);
    expect(link).toMatchObject({ matchedBy: 'number', call: { callref: '0x10' } });
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
