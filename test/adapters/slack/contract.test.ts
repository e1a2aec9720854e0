import { runAdapterContract } from '../contract.ts';
import { makeSlackHarness } from './harness.ts';

runAdapterContract('slack (Socket Mode, fake Slack API)', () => makeSlackHarness());
