import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('adapters load on demand', () => {
  it('a shell-only run loads neither Bolt nor discord.js', async () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "import { mkdtempSync } from 'node:fs';",
      "import { tmpdir } from 'node:os';",
      "import { join } from 'node:path';",
      "import { PassThrough } from 'node:stream';",
      "const { parseConfig } = await import('./src/config.ts');",
      "const { silentLogger } = await import('./src/log.ts');",
      "const { startBot } = await import('./src/main.ts');",
      "const config = parseConfig({ dataDir: mkdtempSync(join(tmpdir(), 'lazy-')), listen: { port: 0 }, adapters: ['shell'] });",
      'const out = new PassThrough(); out.resume();',
      'const bot = await startBot(config, { logger: silentLogger(), shellInput: new PassThrough(), shellOutput: out, demo: false });',
      "const loaded = Object.keys(createRequire(import.meta.url).cache);",
      "process.stdout.write(JSON.stringify({ bolt: loaded.some((k) => k.includes('@slack/bolt')), discord: loaded.some((k) => k.includes('discord.js')) }) + '\\n');",
      'await bot.stop();',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ bolt: false, discord: false });
  });
});
