import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseConfig, type RoleGrant } from '../../src/config.ts';
import { ActionRefusedError, RoomNotFoundError } from '../../src/conference/errors.ts';
import { Bot, type BotDeps } from '../../src/core/bot.ts';
import type { ReplyView, View } from '../../src/core/views.ts';
import { LinkSigner } from '../../src/listen/links.ts';
import { createListenService } from '../../src/listen/service.ts';
import { SensorClient } from '../../src/sensor/client.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import { actor, FakeBackend, FakeDirectory, inbound, MemoryAuditStore, participant, RecordingAdapter, room, T0 } from './fakes.ts';

/**
 * What an error reply shows depends on who asked: config hints only to an admin of the request's
 * scope, room lists only with rooms the actor may view. The log always has the full story.
 */

const KEY = 'NWL/IFnW/LHDYgF7B2OCJA==';
const IV = 'sUhIsGHBY56seAYC+s733A==';
const CONFIG_WORDS = /aesKey|aesIv|SENSOR_AES|sensors\[|pbxs\[|\bconfig\b/;

function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'debug' }, { write: (line: string) => { lines.push(line); } }) };
}

function reply(view: View): ReplyView {
  if (view.kind !== 'reply') throw new Error(`expected a reply, got ${view.kind}`);
  return view;
}

function setup(grants: RoleGrant[], extra: Partial<BotDeps> = {}) {
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1, { callerName: 'Tim' })]));
  pbx.add(room('board-secret', [participant('board-secret', 2)]));
  pbx.add(room('sales-daily', [participant('sales-daily', 3)]));
  pbx.add(room('sales-weekly', [participant('sales-weekly', 4, { callerName: 'Sue' })]));
  const directory = new FakeDirectory(pbx);
  const adapter = new RecordingAdapter();
  const { logger, lines } = capturingLogger();
  let n = 0;
  const bot = new Bot({ directory, grants, audit: new MemoryAuditStore(), now: () => T0, newCorrelationId: () => `c${++n}`, logger, ...extra });
  const handlers = bot.handlersFor(adapter);
  const run = async (who: string, text: string): Promise<ReplyView> => {
    await handlers.command(inbound(actor(who)), text);
    return reply(adapter.last().view);
  };
  return { pbx, directory, run, lines, adapter, handlers };
}

let sensor: EmbeddedSensor | undefined;
afterEach(async () => {
  await sensor?.stop();
  sensor = undefined;
});

describe('Bot: config hints reach admins only', () => {
  const grants: RoleGrant[] = [
    { role: 'listener', users: ['test:ear'], groups: [], pbx: '*', rooms: '*' },
    { role: 'admin', users: ['test:boss'], groups: [], pbx: '*', rooms: '*' },
  ];

  it('shows a listener a generic "misconfigured" for a sensor that demands AES, an admin the keys to set, and logs the keys', async () => {
    sensor = await startEmbeddedSensor({ calls: { calls: () => [] }, aes: { key: KEY, iv: IV } });
    const [config] = parseConfig({ sensors: [{ id: 'voip1', host: '127.0.0.1', port: sensor.port, timeoutMs: 2000 }] }).sensors;
    if (config === undefined) throw new Error('test config has no sensor');
    const client = new SensorClient(config, { index: 0 });
    const { run, lines } = setup(grants, {
      listen: createListenService({
        directory: new FakeDirectory(), sensors: [client], signer: new LinkSigner(Buffer.alloc(32, 7)), publicBaseUrl: 'http://127.0.0.1',
      }),
    });

    const listener = await run('ear', 'calls');
    expect(listener.text).toBe('Sensor voip1 is misconfigured; tell the bot\'s admin.');
    expect(listener.correlationId).toBe('c1');

    const admin = await run('boss', 'calls');
    expect(admin.text).toMatch(/^Sensor voip1 is misconfigured; tell the bot's admin\.\nFor admins: Sensor voip1 demands encryption/);
    for (const part of ['sensors[0].aesKey', '.aesIv', 'SENSOR_AES_KEY', 'SENSOR_AES_IV']) expect(admin.text).toContain(part);

    const failed = lines.filter((l) => l.includes('"correlationId":"c1"') && l.includes('request failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('sensors[0].aesKey');
  });

  it('tells a moderator an invite is not set up, and shows the config key to an admin of that room only', async () => {
    const { pbx, run, lines } = setup([
      { role: 'moderator', users: ['test:mod', 'test:sales-admin'], groups: [], pbx: '*', rooms: '*' },
      { role: 'admin', users: ['test:sales-admin'], groups: [], pbx: '*', rooms: 'sales-*' },
      { role: 'admin', users: ['test:boss'], groups: [], pbx: '*', rooms: '*' },
    ]);
    pbx.invite = () => Promise.reject(new ActionRefusedError('Invite is not set up for PBX pbx1; an admin must configure it.', {
      adminHint: 'Set pbxs[].invite for PBX pbx1 in the config.',
    }));

    for (const who of ['mod', 'sales-admin']) {
      const view = await run(who, 'invite 200 5551234');
      expect(view.text).toBe('Invite is not set up for PBX pbx1; an admin must configure it.');
      expect(view.text).not.toMatch(CONFIG_WORDS);
    }
    expect((await run('sales-admin', 'invite sales-daily 5551234')).text).toContain('For admins: Set pbxs[].invite');
    expect((await run('boss', 'invite 200 5551234')).text).toBe(
      'Invite is not set up for PBX pbx1; an admin must configure it.\nFor admins: Set pbxs[].invite for PBX pbx1 in the config.',
    );
    const failed = lines.filter((l) => l.includes('request failed'));
    expect(failed).toHaveLength(4);
    expect(failed.every((l) => l.includes('pbxs[].invite'))).toBe(true);
  });
});

describe('Bot: a room that ended mid-command names only rooms the actor may view', () => {
  it('lists the PBX\'s other active rooms filtered by the actor\'s grants', async () => {
    const { pbx, run } = setup([
      { role: 'moderator', users: ['test:sally'], groups: [], pbx: '*', rooms: 'sales-*' },
      { role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' },
    ]);
    // The room resolved, then ended before the PBX acted: the backend lists every room it still holds.
    pbx.mute = (name: string) => Promise.reject(new RoomNotFoundError('pbx1', name, [...pbx.rooms_.keys()].filter((r) => r !== name).sort()));

    const sally = await run('sally', 'mute sales-weekly Sue');
    expect(sally.text).toBe('No active room "sales-weekly". Active rooms: sales-daily.');
    expect(sally.text).not.toMatch(/200|board-secret/);

    const mod = await run('mod', 'mute sales-weekly Sue');
    expect(mod.text).toBe('No active room "sales-weekly". Active rooms: 200, board-secret, sales-daily.');
  });

  it('says only "no active rooms you can see" when the actor may view none of them', async () => {
    const { pbx, run } = setup([{ role: 'moderator', users: ['test:solo'], groups: [], pbx: '*', rooms: 'sales-weekly' }]);
    pbx.mute = (name: string) => Promise.reject(new RoomNotFoundError('pbx1', name, ['200', 'board-secret']));
    expect((await run('solo', 'mute sales-weekly Sue')).text).toBe('No active room "sales-weekly". No active rooms you can see.');
  });
});

describe('Bot: one component per log line', () => {
  /** Every `"component":` key in the raw line: JSON.parse would keep only the last of duplicates. */
  const componentKeys = (line: string): string[] => [...line.matchAll(/"component":"([^"]*)"/g)].map((m) => m[1] ?? '');

  it('writes audit lines with component "audit" only, not "core" too', async () => {
    const { run, lines } = setup([{ role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' }]);
    await run('mod', 'mute 200 Tim');
    const audit = lines.filter((l) => l.includes('"audit":{'));
    expect(audit).toHaveLength(1);
    expect(componentKeys(audit[0] ?? '')).toEqual(['audit']);
    expect(lines.every((l) => componentKeys(l).length === 1)).toBe(true);
  });

  it('writes ack warnings with component "ack" only', async () => {
    const { handlers, lines } = setup([{ role: 'viewer', users: ['test:v'], groups: [], pbx: '*', rooms: '*' }]);
    const ctx = inbound(actor('v'));
    ctx.ack = () => Promise.reject(new Error('platform said no'));
    await handlers.command(ctx, 'list');
    const ack = lines.filter((l) => l.includes('ack failed'));
    expect(ack).toHaveLength(1);
    expect(componentKeys(ack[0] ?? '')).toEqual(['ack']);
  });
});
