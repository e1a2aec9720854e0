import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AesKeyMaterialError, aesSettingsFromBase64, decryptReply, decryptRequest, encryptReply, encryptRequest, isEncryptedReply,
  parseEncryptedRequest,
} from '../../src/sensor/aes.ts';
import { parseListCalls } from '../../src/sensor/listcalls.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/voipmonitor/${name}`, import.meta.url));
/** The test key and IV of the sensor that produced listcalls.aes.rawreply (fixtures README). */
const KEY = 'NWL/IFnW/LHDYgF7B2OCJA==';
const IV = 'sUhIsGHBY56seAYC+s733A==';

describe('manager AES framing', () => {
  it('decrypts the real encrypted listcalls reply into the header row', () => {
    const raw = fixture('listcalls.aes.rawreply');
    expect(isEncryptedReply(raw)).toBe(true);
    const plain = decryptReply(raw, aesSettingsFromBase64('aes-128-cbc', KEY, IV));
    expect(plain.equals(fixture('listcalls.nocalls.reply'))).toBe(true);
    expect(parseListCalls(plain.toString('utf8')).calls).toEqual([]);
  });

  it('frames a request as cipher name, ciphertext and :sea', () => {
    const aes = aesSettingsFromBase64('aes-128-cbc', KEY, IV);
    const frame = encryptRequest('listcalls', aes);
    expect(frame.subarray(0, 12).toString()).toBe('aes-128-cbc:');
    expect(frame.subarray(-4).toString()).toBe(':sea');
    const parsed = parseEncryptedRequest(frame);
    expect(parsed?.cipher).toBe('aes-128-cbc');
    expect(parsed && decryptRequest(parsed.body, aes)).toBe('listcalls');
  });

  it('slices a 32-byte key to 16 bytes for aes-128 as OpenSSL does', () => {
    const long = Buffer.concat([Buffer.from(KEY, 'base64'), Buffer.alloc(16, 7)]).toString('base64');
    const sliced = aesSettingsFromBase64('aes-128-cbc', long, IV);
    expect(sliced.key.equals(Buffer.from(KEY, 'base64'))).toBe(true);
    expect(decryptReply(fixture('listcalls.aes.rawreply'), sliced).length).toBe(1031);
    expect(aesSettingsFromBase64('aes-256-cbc', long, IV).key.length).toBe(32);
  });

  it('rejects a key too short for the cipher', () => {
    expect(() => aesSettingsFromBase64('aes-256-cbc', KEY, IV)).toThrow(AesKeyMaterialError);
  });

  it('round-trips a reply through the sensor-side encryption', () => {
    const aes = aesSettingsFromBase64('aes-128-cbc', KEY, IV);
    expect(decryptReply(encryptReply(Buffer.from('success'), aes), aes).toString()).toBe('success');
  });
});
