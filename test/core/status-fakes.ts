/**
 * What the status tests drive: the peers shared with the bench (bench/status-fakes.ts, re-exported
 * so tests have one place to import from) and test-only time control.
 */
export {
  FakeAdapter, FakeDirectory, fakeRender, participant, visible, type FakeAdapterOptions, type FakeDirectoryOptions,
  type RateLimitAnswer, type SentEdit,
} from '../../bench/status-fakes.ts';

export { FakeClock, settle } from '../helpers/fake-clock.ts';
