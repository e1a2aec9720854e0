import { afterEach, describe, expect, it } from 'vitest';
import { pbxSchema, parseConfig } from '../../src/config.ts';
import { summarizeConfig } from '../../src/config-summary.ts';
import { ConferenceRegistry } from '../../src/conference/directory.ts';
import { createPbxConnection, type PbxConnection } from '../../src/conference/pbx.ts';
import { Bot } from '../../src/core/bot.ts';
import { configView, type ReplyView } from '../../src/core/views.ts';
import { isBotError } from '../../src/errors.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { actor, inbound, MemoryAuditStore, RecordingAdapter } from '../core/fakes.ts';
import { rejection, until } from './sim-harness.ts';

let sim: EmbeddedPbx | undefined;
let conn: PbxConnection | undefined;
afterEach(async () => {
  await conn?.stop();
  await sim?.stop();
  conn = undefined;
  sim = undefined;
});

async function connect(config: Record<string, unknown>, users?: { username: string; secret: string; write?: string[] }[]): Promise<PbxConnection> {
  sim = await startEmbeddedPbx({ dialect: 'confbridge', ...(users ? { users } : {}) });
  const pbx = pbxSchema.parse({ id: 'sim', host: sim.host, port: sim.port, username: 'bot', secret: 'botsecret', pingIntervalMs: 0, ...config });
  conn = createPbxConnection(pbx, { amiOverrides: { reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 } }, resyncRetry: { initialDelayMs: 20, maxDelayMs: 100 } });
  await conn.start().catch(() => undefined);
  return conn;
}

function configText(c: PbxConnection): string {
  const config = parseConfig({});
  const view = configView(summarizeConfig(config, {
    pbxs: [pbxSchema.parse({ id: 'sim', host: sim?.host, port: sim?.port, username: 'bot', secret: 'x', dialect: c.state().dialect ?? 'auto' })],
    sensors: [], pbxState: () => c.state(), adapters: [], playerUrl: undefined,
  }));
  return view.text;
}

describe('AMI setup problems', () => {
  it('a refused login is told apart from an outage, with the config keys to fix', async () => {
    const c = await connect({ secret: 'wrong' });
    expect(c.state().problem).toEqual({ kind: 'login_refused' });
    const err = await rejection(c.mute('200', { kind: 'all' }, true));
    expect(isBotError(err)).toBe(true);
    expect(configText(c)).toMatch(/login refused.*Fix: .*pbxs\[\]\.username and pbxs\[\]\.secret/);
  });

  it('a login refused on a later attempt (secret changed at the PBX while running) is a refused login too', async () => {
    const users = [{ username: 'bot', secret: 'botsecret' }];
    const c = await connect({}, users);
    await until(c, (st) => st.available);
    users[0]!.secret = 'rotated';
    await sim?.restart(20);
    const s = await until(c, (st) => st.problem !== undefined);
    expect(s.problem).toEqual({ kind: 'login_refused' });
  });

  it('a closed port is unreachable', async () => {
    sim = await startEmbeddedPbx({ dialect: 'confbridge' });
    const port = sim.port;
    await sim.stop();
    const pbx = pbxSchema.parse({ id: 'sim', host: '127.0.0.1', port, username: 'bot', secret: 'botsecret', pingIntervalMs: 0 });
    conn = createPbxConnection(pbx, { amiOverrides: { reconnect: { initialDelayMs: 1000, maxDelayMs: 1000, jitter: 0 } } });
    await conn.start().catch(() => undefined);
    expect(conn.state().problem).toEqual({ kind: 'unreachable' });
  });

  it('a read-only user whose events arrive is no outage; mute says permission denied and names the class', async () => {
    const c = await connect({ username: 'ro', secret: 'rosecret' }, [{ username: 'ro', secret: 'rosecret', write: [] }]);
    const s = await until(c, (st) => st.problem !== undefined);
    expect(s.available).toBe(true);
    expect(s.problem).toEqual({ kind: 'permission_denied', action: 'ConfbridgeListRooms', writeClass: 'reporting' });
    sim?.join('200', { num: '1001', name: 'Alice' });
    await until(c, (st) => st.rooms.has('200'));
    const err = await rejection(c.mute('200', { kind: 'all' }, true));
    expect(isBotError(err, 'pbx_permission_denied')).toBe(true);
    expect((err as { adminHint: string }).adminHint).toMatch(/may not send ConfbridgeMute: add call to its write classes in manager\.conf/);
  });

  it('while the room list is unknown, a command on a room says the PBX is not ready, not "no room"', async () => {
    const c = await connect({ username: 'ro', secret: 'rosecret' }, [{ username: 'ro', secret: 'rosecret', write: [] }]);
    await until(c, (st) => st.problem !== undefined);
    expect(isBotError(await rejection(c.lock('200', true)), 'pbx_not_ready')).toBe(true);
    const bot = new Bot({
      directory: new ConferenceRegistry([c]), audit: new MemoryAuditStore(),
      grants: [{ role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' }],
    });
    const adapter = new RecordingAdapter();
    await bot.handlersFor(adapter).command(inbound(actor('mod')), 'lock 200');
    expect((adapter.last().view as ReplyView).text).toMatch(/PBX sim is not ready yet/);
  });

  it('a forced meetme dialect on a PBX without app_meetme: config says its actions are refused', async () => {
    const c = await connect({ dialect: 'meetme' });
    await until(c, (st) => st.problem !== undefined);
    expect(c.state().problem).toEqual({ kind: 'dialect_refused', dialect: 'meetme' });
    const text = configText(c);
    expect(text).toMatch(/dialect meetme \(forced, but its actions are refused by the PBX\)/);
    expect(text).not.toMatch(/detected meetme/);
    expect(text).toMatch(/load app_meetme/);
  });
});
