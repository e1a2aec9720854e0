import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('process-level unhandled rejections', () => {
  it('are logged once and do not end the process', async () => {
    const script = [
      "const { logUnhandledRejections } = await import('./src/main.ts');",
      "const { createLogger } = await import('./src/log.ts');",
      'logUnhandledRejections(process, createLogger({ level: "info" }));',
      "void Promise.reject(new Error('apps.connections.open: HTTP 503'));",
      "setTimeout(() => process.stdout.write('still serving\\n'), 50);",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('still serving');
    const logged = lines.filter((l) => l.includes('unhandled promise rejection'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('apps.connections.open: HTTP 503');
  });
});
