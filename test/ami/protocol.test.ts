import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AmiParser, parseAmiMessages, serializeAction, serializeMessage, type AmiParserOutput } from '../../src/ami/protocol.ts';
import { AmiMessage } from '../../src/ami/message.ts';
import { AmiUnsafeFieldError } from '../../src/ami/errors.ts';
import { fixture, jsonlFixtureNames, plain, rawFixtureNames, recordedSegments } from './helpers/fixtures.ts';

function messages(outputs: readonly AmiParserOutput[]): AmiMessage[] {
  return outputs.flatMap((o) => (o.kind === 'message' ? [o.message] : []));
}

function parseText(text: string, opts?: ConstructorParameters<typeof AmiParser>[0]): AmiParserOutput[] {
  return parseAmiMessages(Buffer.from(text, 'latin1'), opts);
}

function pushInPieces(bytes: Buffer, cuts: readonly number[], opts?: ConstructorParameters<typeof AmiParser>[0]): AmiParserOutput[] {
  const parser = new AmiParser(opts);
  const out: AmiParserOutput[] = [];
  let prev = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...parser.push(bytes.subarray(prev, cut)));
    prev = cut;
  }
  out.push(...parser.push(bytes.subarray(prev)));
  return out;
}

describe('AmiParser on recorded transcripts', () => {
  const names = rawFixtureNames();

  it('finds every fixture', () => {
    expect(names.length).toBeGreaterThanOrEqual(14);
  });

  for (const name of names) {
    it(`${name}: any split, one byte included, yields the same messages`, () => {
      const bytes = fixture(name);
      const whole = plain(parseAmiMessages(bytes));
      expect(whole.filter((o) => o.kind === 'message').length).toBeGreaterThan(0);
      expect(whole.some((o) => o.kind === 'error')).toBe(false);

      const oneByteAtATime = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
      expect(plain(pushInPieces(bytes, oneByteAtATime))).toEqual(whole);

      const runs = bytes.length > 20_000 ? 8 : 40;
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 200 }), (cuts) => {
          expect(plain(pushInPieces(bytes, cuts))).toEqual(whole);
        }),
        { numRuns: runs },
      );
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 97 }), (size) => {
          const cuts: number[] = [];
          for (let at = size; at < bytes.length; at += size) cuts.push(at);
          expect(plain(pushInPieces(bytes, cuts))).toEqual(whole);
        }),
        { numRuns: runs },
      );
    });
  }

  for (const name of jsonlFixtureNames()) {
    it(`${name}: the recorded TCP segmentation yields the same messages as the whole stream`, () => {
      const segments = recordedSegments(name);
      const server = new AmiParser();
      const client = new AmiParser({ expectBanner: false });
      const fromServer: AmiParserOutput[] = [];
      const fromClient: AmiParserOutput[] = [];
      for (const seg of segments) {
        if (seg.dir === 's2c') fromServer.push(...server.push(seg.bytes));
        else fromClient.push(...client.push(seg.bytes));
      }
      const base = name.replace(/\.jsonl$/, '');
      expect(plain(fromServer)).toEqual(plain(parseAmiMessages(fixture(`${base}.s2c.raw`))));
      expect(plain(fromClient)).toEqual(plain(parseAmiMessages(fixture(`${base}.c2s.raw`))));
    });
  }

  it('05_conference_200: the Command answer keeps every Output line, whose final CRLF came in a later read', () => {
    const all = messages(parseAmiMessages(fixture('05_conference_200.s2c.raw')));
    const command = all.find((m) => m.getAll('Output').some((l) => l.startsWith('Conference Bridge Name')));
    expect(command?.response).toBe('Success');
    expect(command?.getAll('Output')).toEqual([
      'Conference Bridge Name           Users  Marked Locked Muted',
      '================================ ====== ====== ====== =====',
      '200                                   4      1 No     No',
    ]);
  });

  it('reads the banner as its own item with the version', () => {
    const out = parseAmiMessages(fixture('01_login_plain.s2c.raw'));
    expect(out[0]).toEqual({ kind: 'banner', version: '11.0.0', line: 'Asterisk Call Manager/11.0.0' });
  });

  it('meetme_list: MeetmeListRooms spells Marked as app_meetme does, N/A or four digits', () => {
    const rooms = messages(parseAmiMessages(fixture('meetme_list.s2c.raw'))).filter((m) => m.event === 'MeetmeListRooms');
    expect(rooms.map((m) => m.get('Marked'))).toEqual(['N/A', '0001']);
  });

  it('reads bare LF line ends and a CRLF line followed by a bare LF blank line', () => {
    const out = messages(parseAmiMessages(fixture('mixed_line_ends.s2c.raw')));
    expect(out.map((m) => m.event ?? m.response)).toEqual(['Success', 'CoreShowChannelMap', 'CoreShowChannelMapComplete']);
    expect(out[1]?.get('ConnectedChannel')).toBe('PJSIP/1002-00000002');
  });
});

describe('AmiParser field rules', () => {
  it('keeps key spelling and order while look-ups ignore case', () => {
    const [m] = messages(parseText('Response: Success\r\nActionid: A-1\r\nMessage: ok\r\n\r\n'));
    expect(m?.headers.map(([k]) => k)).toEqual(['Response', 'Actionid', 'Message']);
    expect(m?.actionId).toBe('A-1');
  });

  it('returns AmiMessage instances whose headers, record and look-ups agree', () => {
    const [m] = messages(parseText('Event: X\r\nChannel: SIP/1\r\nchannel: dup\r\nEmpty:\r\nbare line\r\n\r\n'));
    expect(m).toBeInstanceOf(AmiMessage);
    expect(m?.headers).toEqual([['Event', 'X'], ['Channel', 'SIP/1'], ['channel', 'dup'], ['Empty', ''], ['bare line', '']]);
    expect(m?.toRecord()).toEqual({ event: 'X', channel: ['SIP/1', 'dup'], empty: '', 'bare line': '' });
    expect(m?.has('CHANNEL')).toBe(true);
    expect(m?.has('Missing')).toBe(false);
    expect(m?.body).toBeUndefined();
  });

  it('keeps repeated keys in wire order', () => {
    const [m] = messages(parseText('Event: X\r\nChanVariable: a=1\r\nChanVariable: b=2\r\n\r\n'));
    expect(m?.getAll('chanvariable')).toEqual(['a=1', 'b=2']);
  });

  it('reads empty values, with or without the space after the colon', () => {
    const [m] = messages(parseText('Event: X\r\nCallerIDName: \r\nSystemName:\r\n\r\n'));
    expect(m?.get('CallerIDName')).toBe('');
    expect(m?.get('SystemName')).toBe('');
  });

  it('keeps ": " and leading spaces inside a value', () => {
    const [m] = messages(parseText('Event: X\r\nData: a: b: c\r\nOutput:   indented\r\n\r\n'));
    expect(m?.get('Data')).toBe('a: b: c');
    expect(m?.get('Output')).toBe('  indented');
  });

  it('decodes valid UTF-8 as UTF-8 and other bytes as Latin-1 without throwing', () => {
    const utf8 = Buffer.concat([Buffer.from('Event: X\r\nCallerIDName: '), Buffer.from('José Ünal', 'utf8'), Buffer.from('\r\n\r\n')]);
    expect(messages(parseAmiMessages(utf8))[0]?.get('CallerIDName')).toBe('José Ünal');
    const [join] = messages(parseAmiMessages(fixture('meetme_events.s2c.raw'))).filter((m) => m.get('Usernum') === '2' && m.event === 'MeetmeJoin' && m.get('CallerIDnum') === '703');
    expect(join?.get('CallerIDname')).toBe('José Müller');
  });

  it('decodes each value by its own bytes when ASCII, UTF-8 and Latin-1 names share one read', () => {
    const bytes = Buffer.concat([
      Buffer.from('Event: A\r\nUniqueid: 1.1\r\nCallerIDName: Plain\r\n\r\n'),
      Buffer.from('Event: B\r\nUniqueid: 1.2\r\nCallerIDName: '), Buffer.from('Zoë Łukasiewicz', 'utf8'), Buffer.from('\r\n\r\n'),
      Buffer.from('Event: C\r\nUniqueid: 1.3\r\nCallerIDName: '), Buffer.from('François Ørsted', 'latin1'), Buffer.from('\r\n\r\n'),
    ]);
    const all = messages(parseAmiMessages(bytes));
    expect(all.map((m) => [m.event, m.get('Uniqueid'), m.get('CallerIDName')])).toEqual([
      ['A', '1.1', 'Plain'],
      ['B', '1.2', 'Zoë Łukasiewicz'],
      ['C', '1.3', 'François Ørsted'],
    ]);
    expect(all[2]?.headers).toEqual([['Event', 'C'], ['Uniqueid', '1.3'], ['CallerIDName', 'François Ørsted']]);
  });

  it('skips stray blank lines between messages', () => {
    expect(messages(parseText('\r\n\r\nEvent: A\r\n\r\n\r\n\nEvent: B\r\n\r\n')).map((m) => m.event)).toEqual(['A', 'B']);
  });

  it('does not take a first line for a banner unless it is one', () => {
    const out = parseText('Action: Ping\r\nActionID: 1\r\n\r\n');
    expect(out).toHaveLength(1);
    expect(out[0]?.kind).toBe('message');
  });

  it('reads a banner split across reads as the banner even when it is longer than maxMessageBytes', () => {
    const bytes = Buffer.from('Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\n', 'latin1');
    const expected = [
      { kind: 'banner', version: '11.0.0', line: 'Asterisk Call Manager/11.0.0' },
      { kind: 'message', headers: [['Event', 'A']], body: undefined },
    ];
    const opts = { maxMessageBytes: 16 };
    expect(plain(pushInPieces(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1), opts))).toEqual(expected);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
        expect(plain(pushInPieces(bytes, cuts, opts))).toEqual(expected);
      }),
    );
  });

  it('takes only the very first line of the stream for a banner, also after an oversized first line', () => {
    const later = 'Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\n';
    for (const first of ['A'.repeat(100), `Asterisk Call Manager/${'9'.repeat(200)}`, `Event: Big\r\nData: ${'x'.repeat(100)}`]) {
      const bytes = Buffer.from(`${first}\r\n\r\n${later}`, 'latin1');
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 20 }), (cuts) => {
          const out = plain(pushInPieces(bytes, cuts, { maxMessageBytes: 64 }));
          expect(out.map((o) => o.kind)).toEqual(['error', 'message']);
          expect(out[1]).toEqual({ kind: 'message', headers: [['Asterisk Call Manager/11.0.0', ''], ['Event', 'A']], body: undefined });
        }),
        { numRuns: 30 },
      );
    }
  });

  it('holds back a message until its blank line arrives', () => {
    const parser = new AmiParser({ expectBanner: false });
    expect(parser.push(Buffer.from('Response: Success\r\nActionID: 1\r\n'))).toEqual([]);
    expect(parser.push(Buffer.from('\r'))).toEqual([]);
    expect(messages(parser.push(Buffer.from('\n')))).toHaveLength(1);
  });
});

describe('AmiParser legacy Command output (Response: Follows)', () => {
  const out = messages(parseAmiMessages(fixture('meetme_command_follows.s2c.raw')));

  it('puts the lines before the raw text in headers and the raw text in the body', () => {
    const m = out[0];
    expect(m?.response).toBe('Follows');
    expect(m?.get('Privilege')).toBe('Command');
    expect(m?.actionId).toBe('mm-4');
    expect(m?.has('User #')).toBe(false);
    expect(m?.body).toEqual([
      'User #: 01 701 Tim-1 Channel: SIP/701-b6d13438 (Admin Muted) (unmonitored) 01:37:22',
      'User #: 02 <unknown> Bob Smith Channel: SIP/702-b6d20001 (unmonitored) 00:12:05',
      '2 users in that conference.',
    ]);
  });

  it('keeps blank lines inside the raw text and text glued to --END COMMAND--', () => {
    expect(out[2]?.body).toEqual(['Local/200@confs-00000000;2 default_user', '', 'second block: after a blank line']);
  });

  it('parses the message after a Follows answer normally', () => {
    expect(out.map((m) => m.actionId)).toEqual(['mm-4', 'mm-5', 'mm-6']);
    expect(out[1]?.body).toEqual(['No such conference: 999.']);
  });

  it('keeps a first body line that looks like a header in the body, at any split', () => {
    const cases: [string, [string, string][], string[]][] = [
      // The reviewer's case: LF ends the raw text's lines, CRLF the headers.
      ['Response: Follows\r\nActionID: 1\r\nMessage: hello\nline2\n--END COMMAND--\r\n\r\n', [['Response', 'Follows'], ['ActionID', '1']], ['Message: hello', 'line2']],
      // Asterisk ≤13 without an ActionID: CLI text that starts like one is still text.
      ['Response: Follows\r\nPrivilege: Command\r\nActionID: x\nPrivilege: y\n--END COMMAND--\r\n\r\n', [['Response', 'Follows'], ['Privilege', 'Command']], ['ActionID: x', 'Privilege: y']],
      // A header key seen already starts the body even when its line ends in CRLF.
      ['Response: Follows\r\nPrivilege: Command\r\nActionID: 7\r\nPrivilege: again\r\ntext\n--END COMMAND--\r\n\r\n', [['Response', 'Follows'], ['Privilege', 'Command'], ['ActionID', '7']], ['Privilege: again', 'text']],
      // An unknown key (Asterisk sends no Message with Follows) starts the body.
      ['Response: Follows\r\nPrivilege: Command\r\nMessage: x\r\n--END COMMAND--\r\n\r\n', [['Response', 'Follows'], ['Privilege', 'Command']], ['Message: x']],
      // A stream that ends every line in bare LF: the key rules alone set the boundary.
      ['Response: Follows\nPrivilege: Command\nActionID: 3\nActionID: body\n--END COMMAND--\n\n', [['Response', 'Follows'], ['Privilege', 'Command'], ['ActionID', '3']], ['ActionID: body']],
    ];
    for (const [text, headers, body] of cases) {
      const bytes = Buffer.from(`${text}Event: Next\r\n\r\n`, 'latin1');
      const expected = [
        { kind: 'message', headers, body },
        { kind: 'message', headers: [['Event', 'Next']], body: undefined },
      ];
      expect(plain(parseAmiMessages(bytes, { expectBanner: false }))).toEqual(expected);
      expect(plain(pushInPieces(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1), { expectBanner: false }))).toEqual(expected);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 30 }), (cuts) => {
          expect(plain(pushInPieces(bytes, cuts, { expectBanner: false }))).toEqual(expected);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('keeps the serializer\'s Follows answers whole whatever their first raw line says', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'A', ':', ' ', '1', 'I', 'D', 'P', 'r', 'x'), maxLength: 12 });
    const prefix = fc.constantFrom('', 'ActionID: ', 'Privilege: ', 'Message: ', 'Response: ');
    fc.assert(
      fc.property(fc.array(fc.tuple(prefix, line).map(([p, l]) => `${p}${l}`), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (body, withId, cutSeeds) => {
        fc.pre(body.every((l) => !l.endsWith('--END COMMAND--')));
        const headers: [string, string][] = [['Response', 'Follows'], ['Privilege', 'Command']];
        if (withId) headers.push(['ActionID', 'id-1']);
        const bytes = serializeMessage(headers, body);
        const cuts = cutSeeds.map((n) => n % (bytes.length + 1));
        expect(plain(pushInPieces(bytes, cuts, { expectBanner: false }))).toEqual([{ kind: 'message', headers, body }]);
      }),
    );
  });

});

describe('AmiParser over long reads', () => {
  /** One generated frame: its bytes and the headers a correct reader gets from them. */
  interface Generated {
    readonly bytes: Buffer;
    readonly headers: [string, string][];
  }

  const valueArb = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z0-9./@-]{0,40}$/) },
    { weight: 1, arbitrary: fc.constantFrom('Zoë Łukasiewicz', 'François Ørsted') },
    // Longer than the parser's 4 KiB text window, so a frame cannot fit one.
    { weight: 1, arbitrary: fc.integer({ min: 4000, max: 9000 }).map((n) => 'v'.repeat(n)) },
  );
  const frameArb = fc
    .record({
      event: fc.constantFrom('Newchannel', 'Hangup', 'VarSet'),
      fields: fc.array(fc.tuple(fc.constantFrom('Uniqueid', 'UniqueID', 'CallerIDName', 'Channel', 'Value'), valueArb), { maxLength: 12 }),
      latin1: fc.boolean(),
      lf: fc.boolean(),
    })
    .map(({ event, fields, latin1, lf }): Generated => {
      const eol = lf ? '\n' : '\r\n';
      const parts: Buffer[] = [Buffer.from(`Event: ${event}${eol}`)];
      for (const [key, value] of fields) {
        // Latin-1 only where it can spell the value (not `Ł`): older PBXs pass such names through.
        const encoding = latin1 && [...value].every((c) => c.charCodeAt(0) <= 0xff) ? 'latin1' : 'utf8';
        parts.push(Buffer.from(`${key}: `), Buffer.from(value, encoding), Buffer.from(eol));
      }
      parts.push(Buffer.from(eol));
      return { bytes: Buffer.concat(parts), headers: [['Event', event], ...fields] };
    });

  function check(frames: readonly Generated[], out: readonly AmiParserOutput[]): void {
    expect(out.every((o) => o.kind === 'message')).toBe(true);
    const got = messages(out);
    expect(got.map((m) => m.headers)).toEqual(frames.map((f) => f.headers));
    got.forEach((m, i) => {
      const want = frames[i]!.headers;
      expect(m.event).toBe(want[0]![1]);
      const uid = want.find(([k]) => k.toLowerCase() === 'uniqueid');
      expect(m.get('uniqueid')).toBe(uid?.[1]);
    });
  }

  it('reads frames across its text windows, longer than one, and with non-ASCII values, at any split', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 4 }), (frames, rawCuts) => {
        const bytes = Buffer.concat(frames.map((f) => f.bytes));
        check(frames, parseAmiMessages(bytes, { expectBanner: false }));
        // Look-ups first, then the headers, on a fresh parse: the lazy paths on their own.
        const lazy = messages(parseAmiMessages(bytes, { expectBanner: false }));
        expect(lazy.map((m) => m.get('CallerIDName'))).toEqual(frames.map((f) => f.headers.find(([k]) => k === 'CallerIDName')?.[1]));
        check(frames, pushInPieces(bytes, rawCuts.map((c) => c % (bytes.length + 1)), { expectBanner: false }));
      }),
      { numRuns: 60 },
    );
  });

  it('skips oversized frames among others in one read and keeps the rest whole', () => {
    const small = (n: number): string => `Event: S${n}\r\nUniqueid: 1.${n}\r\n\r\n`;
    const big = `Event: Big\r\nData: ${'x'.repeat(3000)}\r\n\r\n`;
    const huge = `Event: Huge\r\nData: ${'y'.repeat(9000)}\r\n\r\n`;
    const text = [small(1), big, small(2), huge, small(3), ...Array.from({ length: 200 }, (_, i) => small(10 + i))].join('');
    const out = parseText(text, { maxMessageBytes: 2000, expectBanner: false });
    expect(out.map((o) => o.kind).slice(0, 6)).toEqual(['message', 'error', 'message', 'error', 'message', 'message']);
    const got = messages(out);
    expect(got.map((m) => m.get('UNIQUEID'))).toEqual(['1.1', '1.2', '1.3', ...Array.from({ length: 200 }, (_, i) => `1.${10 + i}`)]);
    expect(got.at(-1)?.toRecord()).toEqual({ event: 'S209', uniqueid: '1.209' });
  });
});

describe('AmiParser size bound', () => {
  it('reports an oversized message and resynchronises at the next blank line', () => {
    const big = `Event: Big\r\n${'Data: xxxxxxxxxxxxxxxx\r\n'.repeat(100)}\r\nEvent: Small\r\n\r\n`;
    const out = parseText(big, { maxMessageBytes: 512 });
    expect(out.map((o) => o.kind)).toEqual(['error', 'message']);
    expect(out[0]?.kind === 'error' && out[0].error.code).toBe('ami_protocol');
    expect(messages(out)[0]?.event).toBe('Small');
  });

  it('does not buffer an endless line: drops it, then reads the next message', () => {
    const parser = new AmiParser({ maxMessageBytes: 1024, expectBanner: false });
    const out: AmiParserOutput[] = [];
    out.push(...parser.push(Buffer.from('Event: Huge\r\nData: ')));
    for (let i = 0; i < 100; i++) out.push(...parser.push(Buffer.alloc(1000, 0x61)));
    out.push(...parser.push(Buffer.from('\r')));
    out.push(...parser.push(Buffer.from('\n\r')));
    out.push(...parser.push(Buffer.from('\nEvent: After\r\n\r\n')));
    expect(out.map((o) => o.kind)).toEqual(['error', 'message']);
    expect(messages(out)[0]?.event).toBe('After');
  });

  it('bounds raw Follows text too', () => {
    const text = `Response: Follows\r\nPrivilege: Command\r\n${'line of output\n'.repeat(200)}--END COMMAND--\r\n\r\nEvent: Next\r\n\r\n`;
    const out = parseText(text, { maxMessageBytes: 1000, expectBanner: false });
    expect(out.map((o) => o.kind)).toEqual(['error', 'message']);
  });
});

describe('serializeAction', () => {
  it('writes Action, then ActionID, then fields in order, with CRLF and a blank line', () => {
    const bytes = serializeAction(
      { action: 'Originate', fields: { Channel: 'Local/200@confs', Timeout: 15000, Async: true, Account: undefined, Variable: ['A=1', 'B=2'] } },
      'bot-1',
    );
    expect(bytes.toString('utf8')).toBe(
      'Action: Originate\r\nActionID: bot-1\r\nChannel: Local/200@confs\r\nTimeout: 15000\r\nAsync: true\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n',
    );
  });

  it('round-trips through the parser', () => {
    const [m] = messages(parseAmiMessages(serializeAction({ action: 'SetVar', fields: { Variable: 'topic', Value: 'Ünïcode: ok' } }, 'x')));
    expect(m?.get('Action')).toBe('SetVar');
    expect(m?.get('Value')).toBe('Ünïcode: ok');
  });

  const unsafe = ['\r', '\n', '\r\n'];
  for (const bad of unsafe) {
    const shown = JSON.stringify(bad);
    it(`refuses ${shown} in a value, an array item, a key, the action name and the ActionID`, () => {
      const attempts: (() => Buffer)[] = [
        () => serializeAction({ action: 'Command', fields: { Command: `core show uptime${bad}Action: Originate` } }),
        () => serializeAction({ action: 'Originate', fields: { Variable: ['A=1', `B=2${bad}`] } }),
        () => serializeAction({ action: 'Ping', fields: { [`X${bad}Y`]: '1' } }),
        () => serializeAction({ action: `Ping${bad}` }),
        () => serializeAction({ action: 'Ping' }, `id${bad}`),
        () => serializeMessage([['Response', `Success${bad}`]]),
        () => serializeMessage([['Response', 'Follows']], [`a${bad}b`]),
      ];
      for (const attempt of attempts) expect(attempt).toThrow(AmiUnsafeFieldError);
    });
  }

  it('refuses any C0 control character or DEL anywhere in a key, value, action name, ActionID or body line, writing nothing', () => {
    // Tab is checked apart: values and body lines may hold one.
    const control = fc.oneof(fc.integer({ min: 0, max: 0x08 }), fc.integer({ min: 0x0a, max: 0x1f }), fc.constant(0x7f)).map((c) => String.fromCharCode(c));
    const text = fc.string({ maxLength: 10 }).filter((t) => !/[\p{Cc}:]/u.test(t));
    const withControl = fc.tuple(text, control, text).map(([a, c, b]) => `${a}${c}${b}`);
    const places: ((bad: string) => Buffer)[] = [
      (bad) => serializeAction({ action: 'Command', fields: { Command: bad } }, 'id'),
      (bad) => serializeAction({ action: 'Originate', fields: { Variable: ['A=1', bad] } }, 'id'),
      (bad) => serializeAction({ action: 'Ping', fields: { [`X${bad}`]: '1' } }, 'id'),
      (bad) => serializeAction({ action: `P${bad}` }, 'id'),
      (bad) => serializeAction({ action: 'Ping' }, bad),
      (bad) => serializeMessage([['Response', 'Success'], ['Message', bad]]),
      (bad) => serializeMessage([[`K${bad}`, 'v']]),
      (bad) => serializeMessage([['Response', 'Follows']], ['ok', bad]),
    ];
    fc.assert(
      fc.property(withControl, fc.integer({ min: 0, max: places.length - 1 }), (bad, at) => {
        const written: Buffer[] = [];
        expect(() => written.push(places[at]!(bad))).toThrow(AmiUnsafeFieldError);
        expect(written).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('lets a tab through in values and body lines, where Asterisk writes them too, but not in a key or action name', () => {
    expect(serializeAction({ action: 'SetVar', fields: { Value: 'a\tb' } }, 'id').toString()).toBe('Action: SetVar\r\nActionID: id\r\nValue: a\tb\r\n\r\n');
    expect(serializeMessage([['Output', '200\t 0001']], ['x\ty']).toString()).toBe('Output: 200\t 0001\r\nx\ty\n--END COMMAND--\r\n\r\n');
    expect(() => serializeAction({ action: 'Ping', fields: { 'X\tY': '1' } })).toThrow(AmiUnsafeFieldError);
    expect(() => serializeAction({ action: 'Ping\t' })).toThrow(AmiUnsafeFieldError);
    expect(() => serializeMessage([['K\t', 'v']])).toThrow(AmiUnsafeFieldError);
  });

  it('refuses a colon in a key, an empty key, and a field that would set Action or ActionID', () => {
    for (const fields of [{ 'A:B': '1' }, { '': '1' }, { ActionID: 'steal' }, { action: 'Originate' }]) {
      let caught: unknown;
      try {
        serializeAction({ action: 'Ping', fields }, 'id');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AmiUnsafeFieldError);
      expect((caught as AmiUnsafeFieldError).code).toBe('unsafe_ami_field');
    }
  });
});

describe('serializeMessage', () => {
  it('writes a plain message', () => {
    expect(serializeMessage([['Response', 'Success'], ['ActionID', '7'], ['Ping', 'Pong']]).toString()).toBe(
      'Response: Success\r\nActionID: 7\r\nPing: Pong\r\n\r\n',
    );
  });

  it('writes the legacy Follows form that the parser reads back', () => {
    const bytes = serializeMessage([['Response', 'Follows'], ['Privilege', 'Command'], ['ActionID', '9']], ['one', '', 'User #: 01 x']);
    expect(bytes.toString()).toBe('Response: Follows\r\nPrivilege: Command\r\nActionID: 9\r\none\n\nUser #: 01 x\n--END COMMAND--\r\n\r\n');
    const [m] = messages(parseAmiMessages(bytes));
    expect(m?.body).toEqual(['one', '', 'User #: 01 x']);
    expect(m?.actionId).toBe('9');
  });

  it('refuses a body line that would end the output early', () => {
    expect(() => serializeMessage([['Response', 'Follows']], ['x--END COMMAND--'])).toThrow(AmiUnsafeFieldError);
  });
});
