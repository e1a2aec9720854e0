import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** Files that spend most of their time waiting on sockets and timers: started first, so the rest run beside them. */
const LONG_FIRST = ['test/soak.test.ts', 'test/e2e/', 'test/listen/player.', 'test/cli.test.ts', 'test/build.test.ts', 'test/replicas/'];

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONG_FIRST.findIndex((p) => f.moduleId.includes(`/${p}`));
      return i < 0 ? LONG_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Most suites wait on loopback sockets and timers, not the CPU: vitest's default (cores - 1) would
    // run one file at a time on a 2-core machine.
    maxWorkers: 3,
    sequence: { sequencer: LongFilesFirst },
    reporters: ['default'],
  },
});
