import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { aesSettingsFromBase64, decryptReply, encryptRequest } from '../../../src/sensor/aes.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../../src/sim/sensor/server.ts';

const KEY = 'NWL/IFnW/LHDYgF7B2OCJA==';
const IV = 'sUhIsGHBY56seAYC+s733A==';

let sensor: EmbeddedSensor | undefined;
afterEach(async () => {
  await sensor?.stop();
  sensor = undefined;
});

/** Sends `request` in pieces of `size` bytes and reads the reply until the sensor closes. */
function send(port: number, request: Buffer, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, async () => {
      for (let i = 0; i < request.length; i += size) {
        socket.write(request.subarray(i, i + size));
        await new Promise((r) => setImmediate(r));
      }
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

describe('embedded sensor over TCP', () => {
  it('answers a plain command split into single bytes', async () => {
    sensor = await startEmbeddedSensor({ calls: { calls: () => [] } });
    expect((await send(sensor.port, Buffer.from('getversion\r\n\r\n'), 1)).toString()).toBe('2026.04.0');
    expect((await send(sensor.port, Buffer.from('bogus\r\n\r\n'), 3)).toString()).toBe('command not found\n');
  });

  it('demands AES for plain commands except getversion when a key is set', async () => {
    sensor = await startEmbeddedSensor({ calls: { calls: () => [] }, aes: { key: KEY, iv: IV } });
    expect((await send(sensor.port, Buffer.from('listcalls\r\n\r\n'), 64)).toString()).toBe('need aes!\n');
    expect((await send(sensor.port, Buffer.from('getversion\r\n\r\n'), 64)).toString()).toBe('2026.04.0');
  });

  it('answers an encrypted request, split at any point, with an encrypted reply', async () => {
    sensor = await startEmbeddedSensor({ calls: { calls: () => [] }, aes: { key: KEY, iv: IV } });
    const aes = aesSettingsFromBase64('aes-128-cbc', KEY, IV);
    const reply = await send(sensor.port, encryptRequest('listcalls', aes), 5);
    expect(reply.subarray(0, 4).toString()).toBe('aes:');
    expect(JSON.parse(decryptReply(reply, aes).toString())).toHaveLength(1);
  });
});
