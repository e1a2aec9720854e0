import { describe, expect, it } from 'vitest';
import { amiBool, parseAmiEvent } from '../../src/ami/events.ts';
import { AmiMessage, type AmiHeader } from '../../src/ami/message.ts';

const msg = (...headers: AmiHeader[]): AmiMessage => new AmiMessage(headers);

describe('typed AMI events', () => {
  it('types a real ConfbridgeJoin, with Yes/No flags as booleans', () => {
    const ev = parseAmiEvent(msg(
      ['Event', 'ConfbridgeJoin'], ['Conference', '200'], ['Channel', 'Local/200@confs-00000000;2'],
      ['Uniqueid', '1795368827.1'], ['CallerIDNum', '1001'], ['CallerIDName', 'Alice'], ['Admin', 'No'], ['Muted', 'Yes'],
    ));
    expect(ev).toMatchObject({ event: 'ConfbridgeJoin', typed: true, conference: '200', channel: 'Local/200@confs-00000000;2', uniqueid: '1795368827.1', callerIdNum: '1001', admin: false, muted: true });
  });

  it('reads MeetMe key spellings case-insensitively (CallerIDnum, Usernum)', () => {
    const ev = parseAmiEvent(msg(['Event', 'MeetmeJoin'], ['Meetme', '200'], ['Usernum', '2'], ['Channel', 'SIP/701-b6d13438'], ['Uniqueid', '1.2'], ['CallerIDnum', '701'], ['CallerIDname', 'Tim-1']));
    expect(ev).toMatchObject({ event: 'MeetmeJoin', typed: true, meetme: '200', usernum: 2, callerIdNum: '701', callerIdName: 'Tim-1' });
  });

  it('keeps an event missing a required field untyped instead of half-parsing it', () => {
    const ev = parseAmiEvent(msg(['Event', 'ConfbridgeJoin'], ['Conference', '200']));
    expect(ev.typed).toBe(false);
    expect(ev.event).toBe('ConfbridgeJoin');
  });

  it('passes unknown events through untyped', () => {
    const ev = parseAmiEvent(msg(['Event', 'VarSet'], ['Variable', 'x']));
    expect(ev).toMatchObject({ event: 'VarSet', typed: false });
  });

  it('types Hangup with its cause, and OriginateResponse with its outcome', () => {
    expect(parseAmiEvent(msg(['Event', 'Hangup'], ['Channel', 'PJSIP/a-1'], ['Uniqueid', '9.1'], ['Cause', '34'], ['Cause-txt', 'Circuit/channel congestion'])))
      .toMatchObject({ event: 'Hangup', cause: 34, causeText: 'Circuit/channel congestion' });
    expect(parseAmiEvent(msg(['Event', 'OriginateResponse'], ['ActionID', 'a-7'], ['Response', 'Failure'], ['Reason', '5'], ['Channel', 'PJSIP/555'], ['Uniqueid', '<null>'])))
      .toMatchObject({ event: 'OriginateResponse', actionId: 'a-7', success: false, reason: 5 });
  });

  it('reads every AMI boolean spelling', () => {
    for (const yes of ['Yes', 'yes', 'On', 'true', '1']) expect(amiBool(yes)).toBe(true);
    for (const no of ['No', 'off', 'false', '0', '', undefined]) expect(amiBool(no)).toBe(false);
  });
});
