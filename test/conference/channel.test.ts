import { describe, expect, it } from 'vitest';
import { channelMatchesTarget, cleanCallerId, parseChannel } from '../../src/conference/channel.ts';

describe('parseChannel', () => {
  it.each([
    ['SIP/701-b6d13438', 'SIP', '701', undefined],
    ['PJSIP/alice-00000001', 'PJSIP', 'alice', undefined],
    ['PJSIP/trunk-provider-0000002a', 'PJSIP', 'trunk-provider', undefined],
    ['IAX2/peer-1234', 'IAX2', 'peer', undefined],
    ['DAHDI/1-1', 'DAHDI', '1', undefined],
    ['Zap/3-1', 'DAHDI', '3', undefined],
    ['Local/200@confs-00000000;1', 'Local', '200@confs', 1],
    ['Local/200@confs-00000000;2', 'Local', '200@confs', 2],
    ['Local/701@default-6b3a,1', 'Local', '701@default', 1],
    ['Local/701@default-6b3a,2', 'Local', '701@default', 2],
    ['Motif/jingle-1', 'Motif', 'jingle', undefined],
    ['Console/dsp', 'Console', 'dsp', undefined],
  ] as const)('parses %s', (name, tech, resource, half) => {
    expect(parseChannel(name)).toEqual({ tech, resource, localHalf: half });
  });

  it('names a channel without a technology Unknown', () => {
    expect(parseChannel('nonsense').tech).toBe('Unknown');
    expect(parseChannel('/x').tech).toBe('Unknown');
  });
});

describe('cleanCallerId', () => {
  it('turns <unknown>, blanks and missing values into undefined', () => {
    expect(cleanCallerId('<unknown>')).toBeUndefined();
    expect(cleanCallerId('<Unknown>')).toBeUndefined();
    expect(cleanCallerId('')).toBeUndefined();
    expect(cleanCallerId('   ')).toBeUndefined();
    expect(cleanCallerId(undefined)).toBeUndefined();
    expect(cleanCallerId(' Tim-1 ')).toBe('Tim-1');
  });

  it("turns MeetMe's <no name> (MeetmeList, meetme list) into undefined too", () => {
    expect(cleanCallerId('<no name>')).toBeUndefined();
    expect(cleanCallerId(' <No Name> ')).toBeUndefined();
    expect(cleanCallerId('no name')).toBe('no name');
  });
});

describe('channelMatchesTarget', () => {
  it('matches instances of an originate target and nothing else', () => {
    expect(channelMatchesTarget('Local/7000@confs-00000005;1', 'Local/7000@confs')).toBe(true);
    expect(channelMatchesTarget('PJSIP/icecast-0000000a', 'PJSIP/icecast')).toBe(true);
    expect(channelMatchesTarget('Local/70001@confs-00000005;1', 'Local/7000')).toBe(false);
    expect(channelMatchesTarget('Local/7000@confs-extra-00000005;1', 'Local/7000@confs')).toBe(false);
  });
});
