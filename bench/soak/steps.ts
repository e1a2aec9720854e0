import type { EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import type { AmiProxy } from './ami-proxy.ts';

/**
 * The soak's scenario as a list of periodic steps, so new ones (like the hangup alerts of alerts.ts)
 * join the list instead of changing the runner.
 */

export interface SoakWorld {
  readonly pbx: EmbeddedPbx;
  readonly proxy: AmiProxy;
  readonly random: () => number;
  readonly progress: (line: string) => void;
  /** One random user action on a random platform. */
  act(): void;
  typeInShell(line: string): void;
  /** Bookkeeping: re-read the PBX and the platforms, settle actions, sample memory. */
  resync(): void;
}

export interface ScenarioStep {
  readonly name: string;
  readonly everyMs: number;
  run(world: SoakWorld): void | Promise<void>;
}

export interface RunningSteps {
  count(name: string): number;
  stop(): void;
}

export function faultSteps(opts: { dropEveryMs: number; restartEveryMs: number; actionsPerSec: number }): ScenarioStep[] {
  return [
    { name: 'bookkeeping', everyMs: 1000, run: (w) => w.resync() },
    { name: 'user action', everyMs: Math.max(50, 1000 / opts.actionsPerSec), run: (w) => w.act() },
    { name: 'shell command', everyMs: 5000, run: (w) => w.typeInShell(w.random() < 0.5 ? 'list' : 'whoami') },
    { name: 'ami drop', everyMs: opts.dropEveryMs, run: (w) => void w.proxy.drop() },
    // Calls survive the restart, so every watched room is still running when the link returns.
    { name: 'pbx restart', everyMs: opts.restartEveryMs, run: (w) => w.pbx.restart(1000, { keepCalls: true }) },
  ];
}

export function startSteps(world: SoakWorld, steps: readonly ScenarioStep[]): RunningSteps {
  const counts = new Map<string, number>();
  const timers = steps.map((step) => setInterval(() => {
    counts.set(step.name, (counts.get(step.name) ?? 0) + 1);
    Promise.resolve()
      .then(() => step.run(world))
      .catch((err: unknown) => world.progress(`step ${step.name} failed: ${String(err)}`));
  }, step.everyMs));
  return {
    count: (name) => counts.get(name) ?? 0,
    stop: () => timers.forEach((t) => clearInterval(t)),
  };
}
