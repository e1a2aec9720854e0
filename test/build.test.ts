import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the compiled build and the package', () => {
  it('builds dist/ that runs without tsx: the compiled check-config validates a good configuration', async () => {
    await run(npm, ['run', '-s', 'build'], { cwd: process.cwd(), timeout: 240_000 });
    const env = { ...process.env, MEETME_DATA_DIR: mkdtempSync(join(tmpdir(), 'build-')), NODE_OPTIONS: '' };
    const { stdout } = await run(process.execPath, ['dist/bin.js', 'check-config'], { cwd: process.cwd(), env });
    expect(stdout).toMatch(/ok|valid|fine/i);
    const { stdout: assets } = await run(process.execPath, ['-e', "console.log(require('fs').readdirSync('dist/src/listen/public').sort().join(','))"]);
    expect(assets.trim()).toContain('player.js');
  }, 300_000);

  it('packs dist, the manifest, contrib, docs and the license, and no tests, keys or CI files', async () => {
    const { stdout } = await run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: process.cwd() });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/bin.js', 'manifest.yml', 'contrib/Dockerfile', 'docs/configuration.md', 'LICENSE', 'README.md', 'package.json']));
    expect(files.filter((f) => /^(test|bench|\.ci|src|adapters)\//.test(f) || /\.(pem|key|map)$/.test(f))).toEqual([]);
  });
});
