import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const contrib = (name: string) => readFileSync(new URL(`../../contrib/${name}`, import.meta.url), 'utf8');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('contrib/meetme-bot.service', () => {
  const unit = contrib('meetme-bot.service');

  it('runs sandboxed with a dynamic user and a state directory, and restarts on failure', () => {
    for (const line of ['DynamicUser=yes', 'StateDirectory=meetme-bot', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'Restart=on-failure']) {
      expect(unit.split('\n')).toContain(line);
    }
  });

  it('leaves MemoryDenyWriteExecute off, which would break V8', () => {
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
  });

  it.runIf(hasSystemdAnalyze)('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unit-'));
    writeFileSync(join(dir, 'meetme-bot.service'), unit.replaceAll('/opt/meetme-bot/dist/bin.js', '/dev/null'));
    const out = execFileSync('systemd-analyze', ['verify', join(dir, 'meetme-bot.service')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });
});

describe('contrib/Dockerfile', () => {
  const docker = contrib('Dockerfile');

  it('runs node itself as the non-root node user under an init, with a health check on /livez and a data volume', () => {
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^CMD \["node", "dist\/bin\.js"\]$/m);
    expect(docker).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(docker).toMatch(/^HEALTHCHECK .*\n.*\/livez/m);
    expect(docker).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(docker).toMatch(/npm ci --omit=dev/);
  });
});

describe('contrib/manager.conf.example', () => {
  it('grants only the classes the bot needs and permits one address', () => {
    const conf = contrib('manager.conf.example');
    expect(conf).toMatch(/^read = call,system,command,reporting$/m);
    expect(conf).toMatch(/^write = call,system,command,originate$/m);
    expect(conf).toMatch(/^deny = 0\.0\.0\.0\/0\.0\.0\.0$/m);
    expect(conf).toMatch(/^permit = /m);
  });
});
