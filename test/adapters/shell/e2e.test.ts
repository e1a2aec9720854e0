import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createShellAdapter, type ShellAdapter } from '../../../adapters/shell/index.ts';
import { pbxSchema } from '../../../src/config.ts';
import { ConferenceRegistry } from '../../../src/conference/directory.ts';
import { createPbxConnection, type PbxConnection } from '../../../src/conference/pbx.ts';
import type { PbxState } from '../../../src/conference/types.ts';
import { Bot } from '../../../src/core/bot.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../../src/sim/pbx/index.ts';
import { MemoryAuditStore } from '../../core/fakes.ts';

/**
 * The whole path, typed into the shell: grammar → policy → dispatcher → ConferenceRegistry → AMI
 * over TCP → the embedded PBX, and back as rendered text. Each step checks its audit record.
 */

let sim: EmbeddedPbx;
let conn: PbxConnection;
let registry: ConferenceRegistry;
let audit: MemoryAuditStore;
let ops: ShellAdapter;
let guest: ShellAdapter;

function shell(user: string): ShellAdapter {
  return createShellAdapter({ input: new PassThrough(), output: new PassThrough(), user });
}

function until(pred: (s: PbxState) => boolean): Promise<void> {
  if (pred(conn.state())) return Promise.resolve();
  return new Promise((resolve) => {
    const off = conn.onChange(() => {
      if (!pred(conn.state())) return;
      off();
      resolve();
    });
  });
}

const people = (s: PbxState) => [...(s.rooms.get('200')?.participants.values() ?? [])];
const named = (name: string) => (s: PbxState) => people(s).find((p) => p.callerName === name);

beforeAll(async () => {
  sim = await startEmbeddedPbx({ dialect: 'confbridge', kickPromptMs: 20 });
  const config = pbxSchema.parse({
    id: 'sim', host: sim.host, port: sim.port, username: 'bot', secret: 'botsecret', pingIntervalMs: 0, actionTimeoutMs: 3000,
    invite: { channel: 'PJSIP/{number}', context: 'confs', exten: '{room}', timeoutMs: 2000 },
    lobbies: { '200': { type: 'moh', context: 'lobby', exten: '200' } },
  });
  conn = createPbxConnection(config, { amiOverrides: { reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 } } });
  registry = new ConferenceRegistry([conn]);
  await registry.start();
});

afterAll(async () => {
  await registry.stop();
  await sim.stop();
});

beforeEach(async () => {
  for (const p of people(conn.state())) sim.hangup(p.uniqueid);
  await until((s) => people(s).length === 0);
  audit = new MemoryAuditStore();
  ops = shell('ops');
  guest = shell('guest');
  const bot = new Bot({
    directory: registry,
    grants: [{ role: 'viewer', users: ['shell:guest'], groups: [], pbx: '*', rooms: '*' }],
    localAdmin: ops.localUser,
    audit,
  });
  await ops.start(bot.handlersFor(ops));
  await guest.start(bot.handlersFor(guest));
  sim.join('200', { num: '701', name: 'Tim' });
  sim.join('200', { num: '702', name: 'Ann' });
  await until((s) => people(s).length === 2);
});

afterEach(async () => {
  await ops.stop();
  await guest.stop();
});

describe('shell against the embedded PBX', () => {
  it('shows the room with both callers and their buttons', async () => {
    const out = await ops.exec('/meetme show 200');
    expect(out).toMatch(/Room 200 \(sim\): 2 people/);
    expect(out).toMatch(/Tim +701 +PJSIP|Tim +701/);
    expect(out).toContain('[1] Mute [2] Kick…');
    expect(audit.records).toEqual([expect.objectContaining({ command: 'show', room: '200', decision: 'allowed', outcome: 'ok' })]);
  });

  it('mutes and unmutes a caller, and the PBX agrees', async () => {
    expect(await ops.exec('mute 200 Tim')).toContain('Muted Tim (701) in 200.');
    await until((s) => named('Tim')(s)?.muted === true);
    expect(await ops.exec('unmute 200 701')).toContain('Unmuted Tim (701) in 200.');
    await until((s) => named('Tim')(s)?.muted === false);
    expect(audit.records.map((r) => [r.command, r.target, r.outcome])).toEqual([['mute', 'Tim (701)', 'ok'], ['unmute', 'Tim (701)', 'ok']]);
  });

  it('mutes from a status button press', async () => {
    await ops.exec('show 200');
    const out = await ops.exec('press 1');
    expect(out).toMatch(/Muted .* in 200\./);
    await until((s) => people(s).some((p) => p.muted));
    expect(audit.records[1]).toMatchObject({ command: 'mute', outcome: 'ok', decision: 'allowed' });
  });

  it('kicks a caller', async () => {
    expect(await ops.exec('kick 200 Ann')).toContain('Kicked Ann (702) from 200.');
    await until((s) => named('Ann')(s) === undefined);
    expect(audit.records[0]).toMatchObject({ command: 'kick', target: 'Ann (702)', outcome: 'ok' });
  });

  it('locks and unlocks the room', async () => {
    expect(await ops.exec('lock 200')).toContain('Room 200 is locked.');
    await until((s) => s.rooms.get('200')?.locked === true);
    expect(await ops.exec('show 200')).toContain('locked');
    await ops.exec('unlock 200');
    await until((s) => s.rooms.get('200')?.locked === false);
    expect(audit.records.map((r) => r.command)).toEqual(['lock', 'show', 'unlock']);
  });

  it('sets and reads a topic with a quoted argument', async () => {
    expect(await ops.exec('topic 200 Tim "bob from cincinnati"')).toContain('Topic of Tim (701) set to “bob from cincinnati”.');
    expect(await ops.exec('topic 200 Tim')).toContain('Tim (701): bob from cincinnati');
    expect(audit.records.map((r) => [r.command, r.outcome])).toEqual([['topic', 'ok'], ['topic', 'ok']]);
  });

  it('transfers a caller after confirming', async () => {
    const ask = await ops.exec('transfer 200 Tim hold@default');
    expect(ask).toContain('[1] Transfer to hold@default…');
    expect(await ops.exec('press 1')).toMatch(/Send Tim \(701\) out of room 200 to hold@default\?/);
    expect(await ops.exec('yes')).toContain('Transferred Tim (701) to hold@default.');
    await until((s) => named('Tim')(s) === undefined);
    expect(audit.records.map((r) => [r.command, r.outcome])).toEqual([['transfer', 'ok'], ['transfer', 'ok']]);
  });

  it('lists the lobby queue and brings a caller in', async () => {
    sim.waitInLobby('200', { num: '709', name: 'Ivan' });
    expect(await ops.exec('queue 200')).toMatch(/1 +Ivan +709/);
    expect(await ops.exec('bringin 200 1')).toContain('Brought Ivan into room 200.');
    await until((s) => named('Ivan')(s) !== undefined);
    expect(audit.records.map((r) => [r.command, r.outcome])).toEqual([['queue', 'ok'], ['bringin', 'ok']]);
  });

  it('lets a viewer look but not touch, and audits each refusal', async () => {
    expect(await guest.exec('list')).toMatch(/200 +2/);
    const refused = await guest.exec('kick 200 Tim');
    expect(refused).toMatch(/not allowed to run `kick`.*moderator/);
    expect(refused).toMatch(/\(ref [0-9a-f]{8}\)/);
    expect(await guest.exec('mute 200 all')).toMatch(/not allowed/);
    expect(people(conn.state())).toHaveLength(2);
    expect(audit.records.map((r) => [r.actor.userId, r.command, r.decision, r.outcome])).toEqual([
      ['guest', 'list', 'allowed', 'ok'], ['guest', 'kick', 'denied', 'denied'], ['guest', 'mute', 'denied', 'denied'],
    ]);
  });

  it('suggests the room that exists', async () => {
    expect(await ops.exec('mute 201 Tim')).toContain('Did you mean `200`?');
  });
});
