import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createShellAdapter, type ShellAdapter } from '../../../adapters/shell/index.ts';
import { Bot } from '../../../src/core/bot.ts';
import { buildStatusView } from '../../../src/core/views.ts';
import { FakeBackend, FakeDirectory, MemoryAuditStore, participant, room, T0 } from '../../core/fakes.ts';

interface Setup {
  shell: ShellAdapter;
  input: PassThrough;
  output: PassThrough;
  screen: () => string;
  pbx: FakeBackend;
  audit: MemoryAuditStore;
}

const open: ShellAdapter[] = [];

async function setup(opts: { tty?: boolean; user?: string; historySize?: number; keepReplies?: number; keepStatusMessages?: number } = {}): Promise<Setup> {
  const input = new PassThrough();
  const output = new PassThrough();
  if (opts.tty === true) Object.assign(output, { isTTY: true, columns: 120 });
  let text = '';
  output.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1, { callerName: 'Tim', callerNum: '701' }), participant('200', 2)]));
  const shell = createShellAdapter({
    input, output, user: opts.user ?? 'me', prompt: 'mm> ',
    ...(opts.historySize === undefined ? {} : { historySize: opts.historySize }),
    ...(opts.keepReplies === undefined ? {} : { keepReplies: opts.keepReplies }),
    ...(opts.keepStatusMessages === undefined ? {} : { keepStatusMessages: opts.keepStatusMessages }),
  });
  const audit = new MemoryAuditStore();
  const bot = new Bot({ directory: new FakeDirectory(pbx), grants: [], localAdmin: shell.localUser, audit, now: () => T0 });
  await shell.start(bot.handlersFor(shell));
  open.push(shell);
  return { shell, input, output, screen: () => text, pbx, audit };
}

afterEach(async () => {
  for (const shell of open.splice(0)) await shell.stop();
});

describe('shell adapter', () => {
  it('answers shell words used wrongly with their usage, not "unknown command"', async () => {
    const { shell } = await setup();
    expect(await shell.exec('press')).toBe('Usage: `press N` presses button [N].');
    expect(await shell.exec('press 1 2')).toBe('Usage: `press N` presses button [N].');
    expect(await shell.exec('exit please')).toBe('Usage: `quit` (or `exit`) leaves the shell.');
    expect(await shell.exec('exit now')).toBe('Bye.');
  });

  it('shows a status message from an earlier run again when the store resumes it, and edits it from then on', async () => {
    const s = await setup();
    const conversation = { platform: 'shell', id: 'terminal' };
    const fresh = await s.shell.post(conversation, buildStatusView({ pbx: 'pbx1', roomName: '200', room: s.pbx.state().rooms.get('200'), available: true, since: T0, now: T0 }));
    const earlier = { ...fresh, id: 'oldrun1:m7' };
    const view = buildStatusView({ pbx: 'pbx1', roomName: '200', room: s.pbx.state().rooms.get('200'), available: true, since: T0, now: T0 });
    await s.shell.update(earlier, view);
    expect(s.screen()).toContain('(restored m7 after a restart)');
    await s.shell.update(earlier, view);
    expect(s.screen()).toContain('(updated m7)');
    await expect(s.shell.update({ ...fresh, id: `${fresh.id}9` }, view)).rejects.toMatchObject({ code: 'message_gone' });
  });

  it('runs `/meetme ...` and bare commands alike and returns the rendered reply', async () => {
    const { shell } = await setup();
    expect(await shell.exec('/meetme list')).toContain('1 active room.');
    expect(await shell.exec('list')).toMatch(/ 200 +2 +10m 00s/);
  });

  it('grants the local user admin and says so', async () => {
    const { shell } = await setup({ user: 'ops' });
    expect(await shell.exec('whoami')).toMatch(/You are ops \(shell:ops\). Role: admin.*local user/);
  });

  it('presses numbered buttons and re-renders the status, numbering a changed button anew', async () => {
    const { shell, pbx } = await setup();
    const status = await shell.exec('show 200');
    expect(status).toContain('[1] Mute [2] Kick…');
    const after = await shell.exec('press 1');
    expect(after).toContain('✓ Muted Tim (701) in 200.');
    expect(after).toContain('(updated m');
    expect(after).toMatch(/Tim .*muted\(admin\).*\[7\] Unmute \[2\] Kick…/);
    expect(after).toContain('[3] Mute [4] Kick…');
    expect(pbx.calls).toEqual(['mute 200 PJSIP/701-00000001 true']);
  });

  it('keeps button numbers stable across status edits, so a press runs the button that was on screen', async () => {
    const { shell, pbx } = await setup();
    const ask = await shell.exec('kick 200 all');
    expect(ask).toContain('[1] Kick all…');
    // A status message arrives (a talking edit, a new post) between reading the screen and pressing.
    const ref = await shell.post({ platform: 'shell', id: 'terminal' }, buildStatusView({ pbx: 'pbx1', roomName: '200', room: pbx.state().rooms.get('200'), available: true, since: T0, now: T0 }));
    await shell.update(ref, buildStatusView({ pbx: 'pbx1', roomName: '200', room: pbx.state().rooms.get('200'), available: true, since: T0, now: T0 + 1000 }));
    expect(await shell.exec('press 1')).toBe('Kick everyone? Kick everyone in room 200? Whoever is in it when you confirm is included. [Kick all: y / Cancel: n]');
    expect(pbx.calls).toEqual([]);
    expect(await shell.exec('y')).toContain('Kicked');
    expect(pbx.calls).toEqual(['kick 200 all']);
  });

  it('says so when a pressed number\'s button is no longer on its message, and never reuses the number', async () => {
    const { shell, pbx } = await setup();
    const ref = await shell.post({ platform: 'shell', id: 'terminal' }, buildStatusView({ pbx: 'pbx1', roomName: '200', room: pbx.state().rooms.get('200'), available: true, since: T0, now: T0 }));
    pbx.add(room('200', [participant('200', 2)]));
    await shell.update(ref, buildStatusView({ pbx: 'pbx1', roomName: '200', room: pbx.state().rooms.get('200'), available: true, since: T0, now: T0 }));
    expect(await shell.exec('press 1')).toBe(`Button 1 is no longer shown: its message (${ref.id.slice(ref.id.indexOf(':') + 1)}) has changed since. Press a number you see now.`);
    expect(pbx.calls).toEqual([]);
    pbx.add(room('200', [participant('200', 1, { callerName: 'Tim', callerNum: '701' }), participant('200', 2)]));
    const again = await shell.update(ref, buildStatusView({ pbx: 'pbx1', roomName: '200', room: pbx.state().rooms.get('200'), available: true, since: T0, now: T0 }));
    expect(again).toBeUndefined();
    expect(await shell.exec('press 1')).toContain('Muted Tim (701)');
  });

  it('cancels a pending confirmation on any other line, and still runs that line', async () => {
    const { shell, pbx } = await setup();
    await shell.exec('show 200');
    await shell.exec('press 2');
    const out = await shell.exec('list');
    expect(out).toMatch(/^Cancelled\.\n/);
    expect(out).toContain('1 active room.');
    expect(await shell.exec('y')).toMatch(/Unknown command `y`/);
    expect(pbx.calls).toEqual([]);
  });

  it('presses a button by message and action id (the adapter contract\'s press)', async () => {
    const { shell, pbx } = await setup();
    const ref = await shell.post({ platform: 'shell', id: 'terminal' }, buildStatusView({ pbx: 'pbx1', roomName: '200', room: pbx.state().rooms.get('200'), available: true, since: T0, now: T0 }));
    expect(await shell.pressAction(ref, 'v1|nope')).toBe(`No button v1|nope on message ${ref.id.slice(ref.id.indexOf(':') + 1)}.`);
    expect(await shell.pressAction(ref, 'v1|ma|pbx1|200|1')).toMatch(/^Mute everyone\? .*\[Mute all: y \/ Cancel: n\]$/);
    expect(await shell.pressAction(ref, 'v1|m|pbx1|200|1700000000.1|1')).toMatch(/^Cancelled\.\n(.|\n)*Muted Tim \(701\) in 200\./);
    expect(pbx.calls).toEqual(['mute 200 PJSIP/701-00000001 true']);
  });

  it('strips terminal escapes from the confirmation prompt', async () => {
    const { shell, pbx } = await setup();
    pbx.add(room('200', [participant('200', 1, { callerName: 'Tim\x1b[2J', callerNum: '701' })]));
    await shell.exec('show 200');
    expect(await shell.exec('press 2')).toBe('Kick participant? Remove Tim[2J (701) from room 200? [Kick: y / Cancel: n]');
  });

  it('asks before a button with a confirmation, and cancels on anything but yes', async () => {
    const { shell, pbx } = await setup();
    await shell.exec('show 200');
    expect(await shell.exec('press 2')).toBe('Kick participant? Remove Tim (701) from room 200? [Kick: y / Cancel: n]');
    expect(await shell.exec('no')).toBe('Cancelled.');
    expect(pbx.calls).toEqual([]);
    await shell.exec('press 2');
    expect(await shell.exec('y')).toContain('Kicked Tim (701) from 200.');
    expect(pbx.calls).toEqual(['kick 200 PJSIP/701-00000001']);
  });

  it('explains a press with no such button', async () => {
    const { shell } = await setup();
    expect(await shell.exec('press 1')).toBe('No buttons to press yet.');
    await shell.exec('show 200');
    expect(await shell.exec('press 9')).toBe('No button 9: choose 1 to 6.');
  });

  it('keeps a bounded history of the lines run', async () => {
    const { shell } = await setup({ historySize: 2 });
    await shell.exec('help');
    await shell.exec('list');
    await shell.exec('whoami');
    expect(shell.history()).toEqual(['list', 'whoami']);
  });

  it('reads lines from its input stream, prompts, and ends on quit without exiting the process', async () => {
    const { input, screen, shell } = await setup();
    input.write('list\n');
    input.write('quit\n');
    await shell.closed;
    expect(screen()).toContain('mm> ');
    expect(screen()).toContain('1 active room.');
    expect(screen()).toContain('Bye.');
  });

  it('ends when its input ends', async () => {
    const { input, shell } = await setup();
    input.end();
    await shell.closed;
  });

  it('prints a status edit without clobbering the line being typed', async () => {
    const { input, screen, shell } = await setup({ tty: true });
    const ref = await shell.post({ platform: 'shell', id: 'terminal' }, buildStatusView({ pbx: 'pbx1', roomName: '200', room: undefined, available: true, since: T0, now: T0 }));
    input.write('mute 20');
    await new Promise<void>((resolve) => setImmediate(resolve));
    const before = screen().length;
    await shell.update(ref, buildStatusView({ pbx: 'pbx1', roomName: '200', room: room('200', []), available: true, since: T0, now: T0 }));
    const printed = screen().slice(before);
    expect(printed.startsWith('\x1b[2K')).toBe(true);
    expect(printed).toContain('(updated m');
    expect(printed).toMatch(/updated 12:00 UTC\n.*mm> mute 20/s);
  });

  it('refuses to edit a message it never showed', async () => {
    const { shell } = await setup();
    await expect(shell.update({ platform: 'shell', conversation: 'terminal', id: 'nope' }, buildStatusView({ pbx: 'p', roomName: 'r', room: undefined, available: true, since: 0, now: 0 })))
      .rejects.toMatchObject({ code: 'message_gone' });
  });

  it('audits what the shell user did', async () => {
    const { shell, audit } = await setup();
    await shell.exec('lock 200');
    expect(audit.records).toEqual([expect.objectContaining({ actor: { platform: 'shell', userId: 'me', displayName: 'me' }, command: 'lock', outcome: 'ok' })]);
  });
});

describe('shell memory', () => {
  const conversation = { platform: 'shell', id: 'terminal' };
  const statusView = (pbx: FakeBackend): ReturnType<typeof buildStatusView> =>
    buildStatusView({ pbx: 'pbx1', roomName: '200', room: pbx.state().rooms.get('200'), available: true, since: T0, now: T0 });

  it('keeps a bounded number of messages and button numbers however many `show`s run', async () => {
    const { shell, pbx } = await setup();
    for (let i = 0; i < 300; i++) await shell.exec('show 200');
    for (let i = 0; i < 300; i++) await shell.post(conversation, statusView(pbx));
    const { messages, buttons } = shell.retained();
    expect(messages).toBe(20 + 50);
    // Each kept message carries the status view's handful of buttons, nothing from dropped ones.
    expect(buttons).toBeLessThanOrEqual(messages * 10);
    expect(await shell.exec('show 200')).toMatch(/\[\d+\] Mute/);
    expect(shell.retained().messages).toBe(70);
  });

  it('says plainly when a pressed number belongs to a message the shell no longer keeps', async () => {
    const { shell, pbx } = await setup({ keepReplies: 2 });
    expect(await shell.exec('show 200')).toContain('[1] Mute');
    await shell.exec('show 200');
    await shell.exec('show 200');
    expect(await shell.exec('press 1')).toBe(
      'Button 1 was on an older message that the shell no longer keeps. The shell keeps the last 2 replies and the 50 most recently updated status messages; run the command again for fresh buttons.',
    );
    expect(pbx.calls).toEqual([]);
    expect(await shell.exec('press 9999')).toMatch(/^No button 9999: choose \d+ to \d+\.$/);
  });

  it('says so when a dropped message is pressed by id, and keeps a dropped status message again when it is edited', async () => {
    const { shell, pbx } = await setup({ keepStatusMessages: 1 });
    const first = await shell.post(conversation, statusView(pbx));
    await shell.post(conversation, statusView(pbx));
    expect(await shell.pressAction(first, 'v1|ma|pbx1|200|1')).toMatch(/^Message m\d+ is older than the shell keeps\. /);
    // Still watched: the status service edits it, so it is kept (and pressable) again.
    await shell.update(first, statusView(pbx));
    expect(await shell.pressAction(first, 'v1|ma|pbx1|200|1')).toMatch(/^Mute everyone\? /);
    expect(shell.retained().messages).toBe(1);
  });
});
