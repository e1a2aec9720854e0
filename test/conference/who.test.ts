import { describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import { resolveWho, type WhoCandidate } from '../../src/conference/who.ts';
import { AmbiguousParticipantError, ParticipantNotFoundError } from '../../src/conference/errors.ts';

const people: WhoCandidate[] = [
  { uniqueid: '1.1', channel: 'SIP/701-b6d13438', callerNum: '701', callerName: 'Tim-1', usernum: 1 },
  { uniqueid: '1.2', channel: 'SIP/702-0000aa01', callerNum: '702', callerName: 'Timothy Smith', usernum: 2 },
  { uniqueid: '1.3', channel: 'PJSIP/alice-00000003', callerNum: '1001', callerName: 'Alice', usernum: 3 },
  { uniqueid: '1.4', channel: 'DAHDI/1-1', callerNum: undefined, callerName: undefined, usernum: 12 },
];

const resolve = (text: string): WhoCandidate => resolveWho(people, text, { room: '200' });

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('resolveWho', () => {
  it('finds a participant by MeetMe user number, bare or with #', () => {
    expect(resolve('3').uniqueid).toBe('1.3');
    expect(resolve('#12').uniqueid).toBe('1.4');
  });

  it('finds by whole channel name and by a unique channel prefix, in any case', () => {
    expect(resolve('SIP/702-0000aa01').uniqueid).toBe('1.2');
    expect(resolve('pjsip/al').uniqueid).toBe('1.3');
    expect(resolve('DAHDI/').uniqueid).toBe('1.4');
  });

  it('finds by caller number', () => {
    expect(resolve('1001').uniqueid).toBe('1.3');
    expect(resolve('701').uniqueid).toBe('1.1');
  });

  it('finds by a unique caller-name prefix, case-insensitively', () => {
    expect(resolve('ali').uniqueid).toBe('1.3');
    expect(resolve('TIMO').uniqueid).toBe('1.2');
  });

  it('prefers an exact name over prefix matches', () => {
    expect(resolve('tim-1').uniqueid).toBe('1.1');
  });

  it('fails on an ambiguous prefix, listing the candidates', () => {
    const err = errorOf(() => resolve('tim'));
    expect(err).toBeInstanceOf(AmbiguousParticipantError);
    expect(isBotError(err, 'ambiguous_participant')).toBe(true);
    const amb = err as AmbiguousParticipantError;
    expect(amb.candidates).toHaveLength(2);
    expect(amb.userMessage).toContain('Tim-1');
    expect(amb.userMessage).toContain('Timothy Smith');
  });

  it('fails on an unknown who, listing the room', () => {
    const err = errorOf(() => resolve('bob'));
    expect(err).toBeInstanceOf(ParticipantNotFoundError);
    expect((err as ParticipantNotFoundError).candidates).toHaveLength(4);
    expect((err as ParticipantNotFoundError).userMessage).toContain('Alice <1001> #3');
  });

  it('rejects control characters and line breaks', () => {
    for (const bad of ['Alice\r\nAction: Originate', 'a\x00', '\t', 'x\x7f']) {
      expect(isBotError(errorOf(() => resolve(bad)), 'bad_input')).toBe(true);
    }
  });

  it('rejects a non-numeric MeetMe user number', () => {
    const err = errorOf(() => resolve('#abc'));
    expect(isBotError(err, 'bad_input')).toBe(true);
    expect((err as ParticipantNotFoundError).userMessage).toContain('#3');
  });

  it('rejects an empty who', () => {
    expect(isBotError(errorOf(() => resolve('  ')), 'bad_input')).toBe(true);
  });

  it('reports an unknown user number as not found', () => {
    expect(isBotError(errorOf(() => resolve('#99')), 'participant_not_found')).toBe(true);
  });
});
