import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertRuleSchema, parseRule } from '../../src/alerts/rules.ts';
import { AmiParser } from '../../src/ami/protocol.ts';
import { decodeAction } from '../../src/core/actions.ts';
import { parseCommand } from '../../src/core/commands.ts';
import { BotError } from '../../src/errors.ts';
import { aesSettingsFromBase64, decryptReply, encryptReply, isEncryptedReply } from '../../src/sensor/aes.ts';
import { ListCallsFormatError, parseListCalls } from '../../src/sensor/listcalls.ts';
import { classifyListen, classifyReadAudio, UnexpectedReadAudioText } from '../../src/sensor/replies.ts';
import { runs } from './runs.ts';

const AMI_DIR = new URL('../fixtures/ami/', import.meta.url);
const SENSOR_DIR = new URL('../fixtures/voipmonitor/', import.meta.url);
const transcripts = readdirSync(AMI_DIR).filter((f) => f.endsWith('.s2c.raw')).map((f) => readFileSync(new URL(f, AMI_DIR)));
const sensorReplies = readdirSync(SENSOR_DIR).filter((f) => f.endsWith('.reply')).map((f) => readFileSync(new URL(f, SENSOR_DIR)));

/** Bytes of a real transcript with random flips, insertions and cuts. */
function mutated(sources: readonly Buffer[]): fc.Arbitrary<Buffer> {
  return fc.tuple(
    fc.constantFrom(...sources),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')), { maxLength: 40 }),
  ).map(([src, edits]) => {
    const bytes = [...src.subarray(0, 64 * 1024)];
    for (const [at, value, op] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (op === 'flip') bytes[i] = value;
      else if (op === 'insert') bytes.splice(i, 0, value);
      else bytes.splice(i, 1);
    }
    return Buffer.from(bytes);
  });
}

function splitPush(parser: AmiParser, bytes: Buffer, cuts: readonly number[]): number {
  let count = 0;
  let pos = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
    count += parser.push(bytes.subarray(pos, Math.max(pos, cut))).length;
    pos = Math.max(pos, cut);
  }
  return count + parser.push(bytes.subarray(pos)).length;
}

describe('fuzz: AMI parser', () => {
  it('never throws on random bytes pushed in random pieces', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
      splitPush(new AmiParser({ maxMessageBytes: 2048 }), Buffer.from(bytes), cuts);
    }), { numRuns: runs(300) });
  });

  it('never throws on mutated real transcripts, and keeps no more than one message in carry', () => {
    fc.assert(fc.property(mutated(transcripts), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
      const parser = new AmiParser({ maxMessageBytes: 8192 });
      splitPush(parser, bytes, cuts);
      const carried = (parser as unknown as { carry: Buffer | undefined }).carry;
      expect(carried === undefined || carried.length <= bytes.length).toBe(true);
    }), { numRuns: runs(150) });
  });
});

describe('fuzz: sensor replies', () => {
  const aes = aesSettingsFromBase64('aes-256-cbc', Buffer.alloc(32, 7).toString('base64'), Buffer.alloc(16, 9).toString('base64'));

  it('parses listcalls or refuses it with ListCallsFormatError, nothing else', () => {
    const listcalls = sensorReplies.map((b) => b.toString('latin1')).filter((t) => t.trimStart().startsWith('[') || t.trimStart().startsWith('{'));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 512 }), fc.json({ maxDepth: 3 }), mutated(listcalls.map((t) => Buffer.from(t))).map((b) => b.toString('latin1'))), (text) => {
      try {
        parseListCalls(text);
      } catch (err) {
        expect(err).toBeInstanceOf(ListCallsFormatError);
      }
    }), { numRuns: runs(300) });
  });

  it('classifies any listen/readaudio reply or refuses it with its own error type', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)), mutated(sensorReplies)), (reply) => {
      classifyListen(reply);
      try {
        classifyReadAudio(reply);
      } catch (err) {
        expect(err).toBeInstanceOf(UnexpectedReadAudioText);
      }
    }), { numRuns: runs(300) });
  });

  it('decrypts AES-framed replies or throws a crypto error, never garbage silently accepted as framed', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), (body, valid) => {
      const frame = valid ? encryptReply(Buffer.from(body), aes) : Buffer.concat([Buffer.from('aes'), Buffer.from(body)]);
      if (!isEncryptedReply(frame)) return;
      try {
        const plain = decryptReply(frame, aes);
        if (valid) expect(plain.equals(Buffer.from(body))).toBe(true);
      } catch (err) {
        expect(valid).toBe(false);
        expect(err).toBeInstanceOf(Error);
      }
    }), { numRuns: runs(200) });
  });
});

describe('fuzz: what users type and press', () => {
  const nasty = fc.oneof(
    fc.string({ maxLength: 600 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(fc.constantFrom('mute', 'kick', '200', 'all', 'confirm', '"', '\r', '\n', '\u0000', '\u202e', '\u3164', '\u034f', 'pbx/200', '@', '|'), { maxLength: 30 }).map((w) => w.join(' ')),
  );

  it('answers any command text with a typed result, never an exception', () => {
    fc.assert(fc.property(nasty, (text) => {
      const r = parseCommand(text);
      if (!r.ok) expect(r.error).toBeInstanceOf(BotError);
    }), { numRuns: runs(500) });
  });

  it('decodes any button id or refuses it with a BotError', () => {
    const ids = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.oneof(fc.constantFrom('v1', 'm', 'k', 'ma', 'p', '1', '0', 'pbx1', '200', ''), fc.string({ maxLength: 20 })), { maxLength: 8 }).map((p) => p.join('|')),
    );
    fc.assert(fc.property(ids, (id) => {
      try {
        decodeAction(id);
      } catch (err) {
        expect(err).toBeInstanceOf(BotError);
      }
    }), { numRuns: runs(500) });
  });

  it('validates any alert rule input to a rule or named problems, never an exception', () => {
    fc.assert(fc.property(fc.oneof(fc.anything(), fc.record({ id: fc.string(), when: fc.string(), causes: fc.array(fc.string()), targets: fc.anything() }, { requiredKeys: [] })), (input) => {
      const r = parseRule(input);
      if (r.ok) expect(alertRuleSchema.safeParse(input).success).toBe(true);
      else expect(r.problems.length).toBeGreaterThan(0);
    }), { numRuns: runs(300) });
  });
});
