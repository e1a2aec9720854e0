import { describe, expect, it } from 'vitest';
import { parseCallerId } from '../../../src/sim/pbx/actions/originate.ts';
import { Dialplan, dialledNumber } from '../../../src/sim/pbx/dialplan.ts';
import { ChannelNamer } from '../../../src/sim/pbx/naming.ts';

describe('embedded PBX dialplan', () => {
  const plan = new Dialplan(
    { entries: [{ context: 'confs', exten: '210', room: '200', admin: true }], musicOnHold: [{ context: 'confs', exten: '7000' }] },
    { '300': { type: 'moh', context: 'waiting', exten: '300' } },
  );

  it('sends room-context extensions into the room of that name, and entries to their room with their flags', () => {
    expect(plan.resolve('confs', '200')).toEqual({ kind: 'room', room: '200', admin: false, marked: false });
    expect(plan.resolve('confs', '210')).toEqual({ kind: 'room', room: '200', admin: true, marked: false });
  });

  it('treats music-on-hold extensions and moh lobbies as waiting, and other contexts as elsewhere', () => {
    expect(plan.resolve('confs', '7000')).toEqual({ kind: 'moh' });
    expect(plan.resolve('waiting', '300')).toEqual({ kind: 'moh' });
    expect(plan.resolve('lobby', '200')).toEqual({ kind: 'moh' });
    expect(plan.resolve('default', '100')).toEqual({ kind: 'elsewhere' });
    expect(plan.lobbyFor('200')).toEqual({ type: 'moh', context: 'lobby', exten: '200' });
  });

  it('finds the number in a dial string', () => {
    expect(dialledNumber('PJSIP/486')).toBe('486');
    expect(dialledNumber('SIP/trunk/5551234')).toBe('5551234');
    expect(dialledNumber('Local/200@confs')).toBe('200');
  });

  it('parses CallerID in its usual spellings', () => {
    expect(parseCallerId('"Alice" <1001>')).toEqual({ num: '1001', name: 'Alice' });
    expect(parseCallerId('Bob Smith <1002>')).toEqual({ num: '1002', name: 'Bob Smith' });
    expect(parseCallerId('1003')).toEqual({ num: '1003', name: undefined });
    expect(parseCallerId(undefined)).toEqual({ num: undefined, name: undefined });
  });
});

describe('embedded PBX channel names', () => {
  it('names channels per technology and numbers Uniqueids from the clock', () => {
    const namer = new ChannelNamer(() => 1_795_368_827_500);
    expect(namer.uniqueid()).toBe('1795368827.0');
    expect(namer.uniqueid()).toBe('1795368827.1');
    expect(namer.name('PJSIP', 'alice')).toBe('PJSIP/alice-00000000');
    expect(namer.name('SIP', '701')).toMatch(/^SIP\/701-[0-9a-f]{8}$/);
    expect(namer.name('DAHDI', 'x')).toBe('DAHDI/1-1');
    expect(namer.localPair('200', 'confs')).toEqual(['Local/200@confs-00000000;1', 'Local/200@confs-00000000;2']);
  });
});
