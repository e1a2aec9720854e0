import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_KEYS, applyEnv, parseConfig } from '../../src/config.ts';
import { runs } from './runs.ts';

function expectConfigErrorOrConfig(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).not.toMatch(/\n\s+at /);
  }
}

const value = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }));

describe('fuzz: configuration', () => {
  it('turns any YAML document into a config or a ConfigError naming keys', () => {
    const doc = fc.dictionary(fc.constantFrom('pbxs', 'sensors', 'slack', 'listen', 'roles', 'store', 'status', 'logLevel', 'dataDir', 'adapters', 'embedded', 'nope'), fc.oneof(value, fc.array(fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 6 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 6 })), { maxKeys: 6 });
    fc.assert(fc.property(doc, (raw) => {
      expectConfigErrorOrConfig(() => parseConfig(parseYaml(JSON.stringify(raw)) as unknown));
    }), { numRuns: runs(300) });
  });

  it('turns any environment into a config or a ConfigError naming the variable', () => {
    const env = fc.dictionary(fc.constantFrom(...ENV_KEYS.map(([name]) => name), 'MEETME_ADAPTERS'), fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('0', '-1', '65536', 'true', 'yes', '', ' ', '\u0000', 'x'.repeat(300))), { maxKeys: 8 });
    fc.assert(fc.property(env, (vars) => {
      expectConfigErrorOrConfig(() => parseConfig(applyEnv({}, vars)));
    }), { numRuns: runs(300) });
  });
});
