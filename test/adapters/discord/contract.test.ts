import { runAdapterContract } from '../contract.ts';
import { makeDiscordHarness } from './harness.ts';

runAdapterContract('discord (discord.js Client, fake Discord)', () => makeDiscordHarness());
