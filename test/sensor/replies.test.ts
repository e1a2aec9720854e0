import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnexpectedReadAudioText, classifyListen, classifyReadAudio, isCommandNotFound, isNeedAes } from '../../src/sensor/replies.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/voipmonitor/${name}`, import.meta.url));

describe('readaudio replies', () => {
  it('tells each documented text reply from audio by its exact bytes', () => {
    expect(classifyReadAudio(fixture('04_readaudio_immediately.reply'))).toEqual({ kind: 'wait' });
    expect(classifyReadAudio(fixture('08_readaudio_after_stop.reply'))).toEqual({ kind: 'worker_not_found' });
    expect(classifyReadAudio(fixture('readaudio.badref.reply'))).toEqual({ kind: 'call_not_found' });
    expect(classifyReadAudio(Buffer.from('error: client of worker not found'))).toEqual({ kind: 'client_not_found' });
  });

  it('passes real audio replies through whole', () => {
    for (const name of ['05_readaudio_audio_800B.reply', '06_readaudio_after_2s_pause.reply']) {
      const bytes = fixture(name);
      const result = classifyReadAudio(bytes);
      expect(result.kind).toBe('audio');
      if (result.kind === 'audio') expect(result.pcm.equals(bytes)).toBe(true);
    }
  });

  it('treats audio that happens to start with a text prefix as audio', () => {
    const audio = Buffer.concat([Buffer.from('error: call not found'), Buffer.alloc(779)]);
    expect(classifyReadAudio(audio).kind).toBe('audio');
  });

  it('refuses undocumented short error text instead of playing it', () => {
    expect(() => classifyReadAudio(Buffer.from('error: something new'))).toThrow(UnexpectedReadAudioText);
  });
});

describe('other replies', () => {
  it('classifies every documented listen reply', () => {
    expect(classifyListen(fixture('03_listen.reply'))).toBe('started');
    expect(classifyListen(fixture('listen.badref.reply'))).toBe('call_not_found');
    expect(classifyListen(Buffer.from('call already listening'))).toBe('already_listening');
    expect(classifyListen(Buffer.from('liveaudio is disabled'))).toBe('liveaudio_disabled');
    expect(classifyListen(fixture('unknown.reply'))).toBeUndefined();
  });

  it('recognises need aes! and command not found with their trailing newline', () => {
    expect(isNeedAes(fixture('listcalls.plain_with_aes_key.reply'))).toBe(true);
    expect(isCommandNotFound(fixture('unknown.reply'))).toBe(true);
    expect(isNeedAes(fixture('listcalls.nocalls.reply'))).toBe(false);
  });
});
