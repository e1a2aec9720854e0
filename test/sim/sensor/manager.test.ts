import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseListCalls } from '../../../src/sensor/listcalls.ts';
import { SimSensorManager } from '../../../src/sim/sensor/manager.ts';
import type { SimCall } from '../../../src/sim/calls.ts';

const realHeader = (JSON.parse(readFileSync(new URL('../../fixtures/voipmonitor/listcalls.nocalls.reply', import.meta.url), 'utf8')) as unknown[][])[0];

function setup(initial: SimCall[]) {
  let now = 1_000_000;
  let calls = initial;
  const manager = new SimSensorManager({ calls: { calls: () => calls }, now: () => now });
  const send = (command: string): Buffer => manager.handle(command);
  const text = (command: string): string => send(command).toString('latin1');
  const refOf = (callId: string): string => parseListCalls(text('listcalls')).calls.find((c) => c.callId === callId)?.callref ?? '';
  return {
    manager, send, text, refOf,
    advance: (ms: number) => { now += ms; },
    setCalls: (next: SimCall[]) => { calls = next; },
  };
}

const alice: SimCall = { callId: 'alice@sim', caller: '1001', callerName: 'Alice', called: '200', startedAt: 990_000, codec: 'PCMU' };
const bob: SimCall = { callId: 'bob@sim', caller: '1002', callerName: 'Bob', called: '200', startedAt: 995_000, codec: 'PCMA' };

describe('embedded sensor manager', () => {
  it('lists calls with the real header row and consistent call ids', () => {
    const s = setup([alice, bob]);
    const reply = JSON.parse(s.text('listcalls')) as unknown[][];
    expect(reply[0]).toEqual(realHeader);
    const calls = parseListCalls(s.text('listcalls')).calls;
    expect(calls.map((c) => [c.callId, c.caller, c.callerCodec, c.durationSec])).toEqual([
      ['alice@sim', '1001', 'PCMU', 10],
      ['bob@sim', '1002', 'PCMA', 5],
    ]);
    expect(s.refOf('alice@sim')).toMatch(/^0x[0-9a-f]+$/);
    expect(s.refOf('alice@sim')).not.toBe(s.refOf('bob@sim'));
  });

  it('answers listcalls with params with a summary row, and limit 0 with the summary alone', () => {
    const s = setup([alice]);
    const withParams = JSON.parse(s.text('listcalls {"limit":10}')) as unknown[];
    expect(withParams[1]).toEqual([{ total: 1, is_receiver: 0, is_server: 0, id_sensor: 1 }]);
    expect(s.text('listcalls {"limit":0}')).toBe('{"total":1,"is_receiver":0,"is_server":0,"id_sensor":1}');
  });

  it('paces audio at 800 bytes per 50 ms and accumulates it between reads', () => {
    const s = setup([alice]);
    const ref = s.refOf('alice@sim');
    expect(s.text(`listen ${ref} l1`)).toBe('success');
    expect(s.text(`readaudio ${ref} l1`)).toBe('information: wait for data');
    s.advance(50);
    expect(s.send(`readaudio ${ref} l1`).length).toBe(800);
    s.advance(2050);
    expect(s.send(`readaudio ${ref} l1`).length).toBe(32_800);
    s.advance(60);
    const chunk = s.send(`readaudio ${ref} l1`);
    expect(chunk.length).toBe(800);
    let peak = 0;
    for (let i = 0; i < chunk.length; i += 2) peak = Math.max(peak, Math.abs(chunk.readInt16LE(i)));
    expect(peak).toBeGreaterThan(1000);
  });

  it('gives different calls different audio', () => {
    const s = setup([alice, bob]);
    const a = s.refOf('alice@sim');
    const b = s.refOf('bob@sim');
    s.text(`listen ${a} la`);
    s.text(`listen ${b} lb`);
    s.advance(200);
    expect(s.send(`readaudio ${a} la`).equals(s.send(`readaudio ${b} lb`))).toBe(false);
  });

  it('registers a second listener with "call already listening" and keeps the worker until the last one stops', () => {
    const s = setup([alice]);
    const ref = s.refOf('alice@sim');
    expect(s.text(`listen ${ref} one`)).toBe('success');
    expect(s.text(`listen ${ref} two`)).toBe('call already listening');
    expect(s.send(`listen_stop ${ref} one`).length).toBe(0);
    s.advance(50);
    expect(s.send(`readaudio ${ref} two`).length).toBe(800);
    expect(s.text(`readaudio ${ref} one`)).toBe('error: client of worker not found');
    s.send(`listen_stop ${ref} two`);
    expect(s.text(`readaudio ${ref} two`)).toBe('error: worker not found');
  });

  it('answers unknown references and commands like the real sensor', () => {
    const s = setup([]);
    expect(s.text('listen 0x1 a')).toBe('call not found');
    expect(s.text('readaudio 0x1 a')).toBe('error: call not found');
    expect(s.send('listen_stop 0x1 a').length).toBe(0);
    expect(s.text('frobnicate')).toBe('command not found\n');
    expect(s.text('getversion')).toBe('2026.04.0');
  });

  it('keeps answering wait for data after the call ends, then call not found', () => {
    const s = setup([alice]);
    const ref = s.refOf('alice@sim');
    s.text(`listen ${ref} l1`);
    s.setCalls([]);
    expect(JSON.parse(s.text('listcalls'))).toHaveLength(1);
    s.advance(1000);
    expect(s.text(`readaudio ${ref} l1`)).toBe('information: wait for data');
    s.advance(19_000);
    expect(s.text(`readaudio ${ref} l1`)).toBe('error: call not found');
  });

  it('reuses a freed call reference for the next call, with the new call id', () => {
    const s = setup([alice]);
    const ref = s.refOf('alice@sim');
    s.setCalls([bob]);
    expect(s.refOf('bob@sim')).toBe(ref);
  });

  it('never yields audio to a listen id longer than 19 characters', () => {
    const s = setup([alice]);
    const ref = s.refOf('alice@sim');
    const longId = 'x'.repeat(26);
    expect(s.text(`listen ${ref} ${longId}`)).toBe('success');
    s.advance(500);
    expect(s.text(`readaudio ${ref} ${longId}`)).toBe('information: wait for data');
  });
});
