import { PassThrough } from 'node:stream';
import { createShellAdapter } from '../../../adapters/shell/index.ts';
import { runAdapterContract } from '../contract.ts';

runAdapterContract('shell', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => { screen += chunk.toString('utf8'); });
  const adapter = createShellAdapter({ input, output, user: 'tester' });
  return {
    adapter,
    conversation: { platform: 'shell', id: 'terminal' },
    sendCommand: async (text) => { await adapter.exec(`/meetme ${text}`); },
    // A button with a confirm dialog asks y/n on the terminal: the person says yes.
    pressButton: async (ref, actionId) => {
      const shown = await adapter.pressAction(ref, actionId);
      if (/: y \/ .*: n\]/.test(shown)) await adapter.exec('y');
    },
    visibleText: async () => screen,
    close: async () => { input.end(); },
  };
});
