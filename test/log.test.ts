import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.ts';

function capture(): { stream: Writable; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines: () => chunks.join('') };
}

describe('logger', () => {
  it('redacts secrets wherever they sit in a log record', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    log.child({ component: 'ami', pbx: 'main' }).info(
      {
        secret: 'ami-secret-1',
        pbx: { host: 'h', secret: 'ami-secret-2' },
        slack: { botToken: 'xoxb-should-not-leak', appToken: 'xapp-nor-this', signingSecret: 'nor-that' },
        sensor: { aesKey: 'NWL/IFnW/LHDYgF7B2OCJA==', aesIv: 'sUhIsGHBY56seAYC+s733A==' },
        listen: { signingKey: 'k'.repeat(40) },
        token: 'link-token',
      },
      'connecting',
    );
    const text = out.lines();
    for (const leaked of ['ami-secret-1', 'ami-secret-2', 'xoxb-should-not-leak', 'xapp-nor-this', 'nor-that', 'NWL/IFnW', 'sUhIsGHB', 'kkkkkkkk', 'link-token']) {
      expect(text).not.toContain(leaked);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('"component":"ami"');
  });
});
