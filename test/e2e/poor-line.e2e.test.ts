import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import type { SimCall } from '../../src/sim/calls.ts';
import type { SimChannel } from '../../src/sim/pbx/index.ts';
import { DEMO_CYCLE, demoLinePlan } from '../../src/sim/sensor/line-sim.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';

/**
 * Poor-line alerts through the whole bot: the embedded PBX carries the calls over real AMI, an
 * embedded sensor on its own port lists them with the demo's degrading line (its clock shifted by
 * the test, so the 2-minute cycle is crossed in seconds), the bot's quality poller reads it, and the
 * alert goes to the shell. Mute on the alert reaches the PBX as a ConfbridgeMute action.
 */

let bot: RunningBot | undefined;
let sensor: EmbeddedSensor | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await sensor?.stop();
  sensor = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Start of the cycle's poor phase (MOS 2.7, 12 % loss) and of its closing good phase, ms into the cycle. */
const POOR_AT = DEMO_CYCLE.slice(0, 2).reduce((sum, p) => sum + p.ms, 0);
const GOOD_AGAIN_AT = DEMO_CYCLE.slice(0, 4).reduce((sum, p) => sum + p.ms, 0);

interface Screen { text: string }

async function until(probe: () => boolean, what: string): Promise<void> {
  await expect.poll(probe, { timeout: 15_000, interval: 25, message: what }).toBe(true);
}

/** `listcalls` the test's sensor has answered. */
function listings(): number {
  return sensor?.stats().commands['listcalls'] ?? 0;
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

interface Started { readonly bot: RunningBot; readonly screen: Screen; setShift(ms: number): void }

/** The bot with a sensor of its own whose clock the test shifts (real time plus `shift`). */
async function start(rules: readonly Record<string, unknown>[]): Promise<Started> {
  let shift = 0;
  // The bot's own embedded PBX, once it runs: the sensor lists its calls.
  const calls = { calls: (): readonly SimCall[] => bot?.embeddedPbx?.calls() ?? [] };
  sensor = await startEmbeddedSensor({ calls, now: () => Date.now() + shift, lines: demoLinePlan });
  const dir = mkdtempSync(join(tmpdir(), 'meetme-poorline-'));
  dirs.push(dir);
  const config = parseConfig({
    dataDir: dir, listen: { port: 0 }, adapters: ['shell'], embedded: { demo: false, sensor: false },
    sensors: [{ id: 'sensor1', host: sensor.host, port: sensor.port }],
    quality: { pollIntervalSec: 1 },
    alerts: { rules },
  });
  const output = new PassThrough();
  const screen: Screen = { text: '' };
  output.on('data', (chunk: Buffer) => { screen.text += chunk.toString(); });
  bot = await startBot(config, { logger: silentLogger(), shellInput: new PassThrough(), shellOutput: output, demo: false });
  return { bot, screen, setShift: (ms) => { shift = ms; } };
}

/** Tim first (the oldest call: the demo's degrading line), then Ann. */
async function timAndAnn(b: RunningBot): Promise<{ tim: SimChannel; startedAt: number }> {
  const pbx = b.embeddedPbx!;
  const tim = pbx.join('200', { num: '701', name: 'Tim' });
  await new Promise((r) => setTimeout(r, 5));
  pbx.join('200', { num: '702', name: 'Ann' });
  // As the bot sees the room, not only the PBX: its AMI events may still be on the way.
  await until(() => b.registry.backend('demo').state().rooms.get('200')?.participants.size === 2, 'two in the room');
  return { tim, startedAt: pbx.calls().find((c) => c.caller === '701')!.startedAt };
}

describe('poor-line alerts end to end', () => {
  it('fires one alert for the degrading demo line, mutes it from the alert, and resolves it when the line recovers', async () => {
    const { bot: b, screen, setShift } = await start([{ id: 'lines', when: 'poor_line', forSec: 2, targets: [{ platform: 'shell', channel: 'terminal' }] }]);
    const pbx = b.embeddedPbx!;
    const { tim, startedAt } = await timAndAnn(b);

    setShift(startedAt + POOR_AT + 1_000 - Date.now());
    await until(() => /Tim \(701\) in room 200: MOS 2\.7, 12% loss for \d+ s/.test(screen.text), 'the poor-line alert');
    // Three more polls of the same bad line: still the one alert.
    const listed = listings();
    await until(() => listings() >= listed + 3, 'three more polls');
    expect(count(screen.text, /\[warning\] Tim \(701\) in room 200: MOS/g)).toBe(1);
    expect(await b.shell!.exec('alerts list')).toMatch(/1 open: Tim \(701\) in room 200: MOS 2\.7, 12% loss for \d+ s \(open\)/);
    expect(screen.text).not.toMatch(/Ann \(702\) in room 200: MOS/);

    // Mute from the alert: the PBX receives the same action the room's Mute button sends.
    const mute = /\[(\d+)\] Mute/.exec(screen.text)?.[1];
    expect(mute).toBeDefined();
    expect(await b.shell!.exec(`press ${mute}`)).toMatch(/Muted Tim \(701\) in 200/);
    const muteAction = pbx.received.find((h) => h.some(([k, v]) => k === 'Action' && v === 'ConfbridgeMute'));
    expect(muteAction?.find(([k]) => k === 'Channel')?.[1]).toBe(tim.channel);
    expect(muteAction?.find(([k]) => k === 'Conference')?.[1]).toBe('200');
    await until(() => /muted by \S+ at \d\d:\d\d UTC/.test(screen.text), 'the alert saying who muted');

    // The line recovers: the alert is resolved in place.
    setShift(startedAt + GOOD_AGAIN_AT + 1_000 - Date.now());
    await until(() => /Resolved: Tim \(701\) in room 200: MOS 2\.7/.test(screen.text) && /line recovered at \d\d:\d\d UTC/.test(screen.text), 'the recovery');
    expect(await b.shell!.exec('alerts list')).toMatch(/No open incidents/);
  }, 40_000);

  it('names the worst line and how long it was poor in the room\'s end summary', async () => {
    const { bot: b, screen, setShift } = await start([]);
    const pbx = b.embeddedPbx!;
    const { startedAt } = await timAndAnn(b);
    await b.shell!.exec('show 200');
    setShift(startedAt + POOR_AT + 1_000 - Date.now());
    await until(() => /Tim\s+701\s+PJSIP\s+line poor/.test(screen.text), 'the poor mark on the status message');
    setShift(startedAt + GOOD_AGAIN_AT + 1_000 - Date.now());
    const poorShown = screen.text.length;
    await until(() => /Tim\s+701\s+PJSIP\s+line good/.test(screen.text.slice(poorShown)), 'the good mark again');
    for (const p of pbx.rooms().find((r) => r.name === '200')?.participants ?? []) pbx.hangup(p.uniqueid, 16);
    await until(() => /Worst line: Tim \(701\), poor for \d+s \(MOS 2\.7\)/.test(screen.text), 'the summary\'s worst line');
  }, 40_000);
});
