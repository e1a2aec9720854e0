import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from '../src/config-reference.ts';
import { ENV_KEYS } from '../src/config.ts';

describe('docs/configuration.md', () => {
  it('is what the config schema generates (run `npm run docs:config` after changing the schema)', () => {
    expect(readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8')).toBe(configReference());
  });

  it('names every environment variable beside its key', () => {
    const doc = configReference();
    for (const [env] of ENV_KEYS) expect(doc).toContain(`\`${env}\``);
  });
});
