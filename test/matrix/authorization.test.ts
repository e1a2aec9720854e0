import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RoleGrant, RoleName } from '../../src/config.ts';
import { parseConfig } from '../../src/config.ts';
import { summarizeConfig } from '../../src/config-summary.ts';
import { encodeAction, type Action, type ConfirmableAction } from '../../src/core/actions.ts';
import type { AlertControl } from '../../src/core/alert-control.ts';
import { Bot } from '../../src/core/bot.ts';
import { COMMAND_SPECS } from '../../src/core/commands/index.ts';
import { ROLES } from '../../src/core/policy.ts';
import type { CallSummary, ListenService, WatchService } from '../../src/core/services.ts';
import { actor, FakeBackend, FakeDirectory, inbound, MemoryAuditStore, participant, RecordingAdapter, room, T0 } from '../core/fakes.ts';

/**
 * Authorization, whole: every command form and every button kind in the "Who may do what" table of
 * docs/commands.md, run through the real core (Bot: parse, policy, room lookup, dispatch, audit) by an
 * actor of every role whose grant covers the room, another room only, or every room, and by one with
 * no grant. What the bot allowed must equal what the table says, cell for cell; the expectation is
 * read from the docs, so the docs and the code cannot drift apart.
 */

type Cover = 'the room' | 'any room' | 'every room' | '—';
interface Row { readonly subject: string; readonly role: RoleName | 'anyone'; readonly cover: Cover }

const DOCS = new URL('../../docs/commands.md', import.meta.url);

function docsRows(): Row[] {
  const text = readFileSync(DOCS, 'utf8');
  const section = text.slice(text.indexOf('### Who may do what'));
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    const cells = /^\| (.+?) \| (anyone|viewer|listener|moderator|admin) \| (the room|any room|every room|—) \|$/.exec(line);
    if (cells === null) continue;
    rows.push({ subject: cells[1] ?? '', role: cells[2] as Row['role'], cover: cells[3] as Cover });
  }
  return rows;
}

const PBX = 'pbx1';
const ROOM = '200';
const OTHER = '300';
/** Tim is in the room acted on; a typed `<who>` names him, a button carries his uniqueid. */
const TIM = participant(ROOM, 1, { callerName: 'Tim', callerNum: '701' });

/** A typed form of the table, with its placeholders filled in. */
function typed(form: string): string {
  return form
    .replace('<room>', ROOM).replace('<who>', 'Tim').replace('<text>', 'hello').replace('<exten>', '600')
    .replace('<number>', '+15551234').replace('<callref>', '0x7f00').replace('<rule>', 'r1');
}

const alert = (op: 'ack' | 'resolve' | 'show'): Action => ({ kind: 'alert', op, pbx: PBX, room: ROOM, incident: 'i1' });
const confirm = (action: ConfirmableAction): Action => ({ kind: 'confirm', pbx: PBX, room: ROOM, action, expiresAt: T0 + 60_000 });

/** The buttons each table row names, by the row's bold labels. */
const BUTTONS: Readonly<Record<string, readonly Action[]>> = {
  'Mute (status message)': [{ kind: 'mute', pbx: PBX, room: ROOM, uniqueid: TIM.uniqueid, on: true }],
  'Unmute (status message)': [{ kind: 'mute', pbx: PBX, room: ROOM, uniqueid: TIM.uniqueid, on: false }],
  'Kick (status message)': [{ kind: 'kick', pbx: PBX, room: ROOM, uniqueid: TIM.uniqueid }],
  'Mute all (status message)': [{ kind: 'mute_all', pbx: PBX, room: ROOM, on: true }],
  'Unmute all (status message)': [{ kind: 'mute_all', pbx: PBX, room: ROOM, on: false }],
  'Lock (status message)': [{ kind: 'lock', pbx: PBX, room: ROOM, on: true }],
  'Unlock (status message)': [{ kind: 'lock', pbx: PBX, room: ROOM, on: false }],
  'Prev / Next (status message pages)': [{ kind: 'page', pbx: PBX, room: ROOM, page: 0 }, { kind: 'page', pbx: PBX, room: ROOM, page: 1 }],
  'Confirm (kick all, mute all, transfer)': [
    confirm({ kind: 'kick_all', pbx: PBX, room: ROOM }),
    confirm({ kind: 'mute_all', pbx: PBX, room: ROOM, on: true }),
    confirm({ kind: 'transfer', pbx: PBX, room: ROOM, uniqueid: TIM.uniqueid, exten: '600', context: undefined }),
  ],
  'Cancel (a confirmation)': [{ kind: 'cancel', pbx: PBX, room: ROOM }],
  'Ack (alert)': [alert('ack')],
  'Resolve (alert)': [alert('resolve')],
  'Silence 1h / 4h / 24h (alert)': ([1, 4, 24] as const).map((hours): Action => ({ kind: 'alert', op: 'silence', pbx: PBX, room: ROOM, incident: 'i1', hours })),
  'Show room (alert)': [alert('show')],
  'Mute (poor-line alert)': [{ kind: 'alert', op: 'mute', pbx: PBX, room: ROOM, incident: 'i1', uniqueid: TIM.uniqueid }],
};

function buttonKey(subject: string): string | undefined {
  if (!subject.startsWith('button ')) return undefined;
  return subject.slice('button '.length).replace(/\*\*/g, '');
}

/** Grants: each role on the room, on another room only, or on every room; and nobody. */
type Grant = 'room' | 'other room' | 'every room' | 'none';
const GRANTS: readonly Grant[] = ['room', 'other room', 'every room'];

function grantsFor(role: RoleName, grant: Grant): RoleGrant[] {
  const user = 'test:who';
  // A viewer grant elsewhere keeps "roles configured" for the actor with no grant.
  const bystander: RoleGrant = { role: 'viewer', users: ['test:bystander'], groups: [], pbx: '*', rooms: '*' };
  if (grant === 'none') return [bystander];
  const rooms = grant === 'room' ? ROOM : grant === 'other room' ? OTHER : '*';
  return [bystander, { role, users: [user], groups: [], pbx: grant === 'every room' ? '*' : PBX, rooms }];
}

function expected(row: Row, role: RoleName | undefined, grant: Grant): boolean {
  if (row.role === 'anyone') return true;
  if (role === undefined || ROLES.indexOf(role) < ROLES.indexOf(row.role)) return false;
  switch (row.cover) {
    case 'the room': return grant === 'room' || grant === 'every room';
    case 'any room': return true;
    case 'every room': return grant === 'every room';
    case '—': return true;
  }
}

const CALL: CallSummary = { sensor: 's1', callref: '0x7f00', callId: 'abc@pbx', caller: '701', called: '200', callerName: 'Tim', durationSec: 5, codec: 'PCMA', mos: 4.2 };

function fakes(): { watch: WatchService; listen: ListenService; alerts: AlertControl } {
  return {
    watch: { watch: async () => undefined, unwatch: async () => true, noteAction: () => undefined, showPage: () => true },
    listen: {
      linkForParticipant: async () => ({ url: 'https://bot.example/l/t', expiresAt: T0 + 60_000, call: CALL, matchedBy: 'callid' }),
      linkForCall: async () => ({ url: 'https://bot.example/l/t', expiresAt: T0 + 60_000, call: CALL, matchedBy: 'callref' }),
      listCalls: async () => [CALL],
    },
    alerts: {
      press: () => ({ outcome: 'done', headline: 'Tim dropped' }),
      rules: () => [], openIncidents: () => [],
      add: async () => ({ ok: true }), setEnabled: async () => 'done', remove: async () => 'done', lineMuted: () => undefined,
    },
  };
}

const config = parseConfig({ pbxs: [{ id: PBX, host: '127.0.0.1', username: 'bot', secret: 'x' }] });

/** Runs one command or button press as `test:who` under `grants`; what the audit trail says was decided. */
async function decide(grants: RoleGrant[], subject: { typed: string } | { press: Action }): Promise<boolean> {
  const pbx = new FakeBackend(PBX);
  pbx.add(room(ROOM, [TIM, participant(ROOM, 2)]));
  pbx.add(room(OTHER, [participant(OTHER, 4)]));
  const audit = new MemoryAuditStore();
  const configSummary = () => summarizeConfig(config, { pbxs: config.pbxs, sensors: [], pbxState: () => pbx.state(), adapters: ['shell'], playerUrl: undefined });
  let n = 0;
  const bot = new Bot({ directory: new FakeDirectory(pbx), grants, audit, now: () => T0, newCorrelationId: () => `c${++n}`, configSummary, ...fakes() });
  const adapter = new RecordingAdapter();
  const handlers = bot.handlersFor(adapter);
  const who = actor('who');
  if ('typed' in subject) await handlers.command(inbound(who), subject.typed);
  else await handlers.action(inbound(who, { platform: 'test', conversation: 'c1', id: 'm-status' }), encodeAction(subject.press));
  const decisions = audit.records.filter((r) => r.correlationId === 'c1').map((r) => r.decision);
  if (decisions.length === 0) throw new Error(`nothing audited for ${JSON.stringify(subject)}`);
  return decisions.every((d) => d === 'allowed');
}

const rows = docsRows();

describe('authorization matrix (docs/commands.md "Who may do what")', () => {
  it('the table names every command and every kind of button', () => {
    const named = new Set(rows.filter((r) => !r.subject.startsWith('button')).map((r) => /^`([a-z]+)/.exec(r.subject)?.[1]));
    expect(COMMAND_SPECS.map((s) => s.name).filter((name) => !named.has(name))).toEqual([]);
    const pressed = new Set(rows.flatMap((r) => BUTTONS[buttonKey(r.subject) ?? ''] ?? []).map((a) => (a.kind === 'alert' ? `alert ${a.op}` : a.kind)));
    const kinds = ['mute', 'kick', 'mute_all', 'lock', 'page', 'confirm', 'cancel', 'alert ack', 'alert resolve', 'alert silence', 'alert show', 'alert mute'];
    expect(kinds.filter((k) => !pressed.has(k))).toEqual([]);
    for (const r of rows) if (r.subject.startsWith('button')) expect(BUTTONS[buttonKey(r.subject) ?? ''], r.subject).toBeDefined();
  });

  it('agrees with the least role the command table gives each command', () => {
    const text = readFileSync(DOCS, 'utf8');
    const commandTable = text.slice(text.indexOf('| Command | What it does | Least role |'), text.indexOf('## Input rules')).split('\n');
    for (const r of rows.filter((row) => !row.subject.startsWith('button'))) {
      const name = /^`([a-z]+)/.exec(r.subject)?.[1] ?? '';
      const line = commandTable.find((l) => /`[a-z]+[` ]/.test(l) && [`\`${name} `, `\`${name}\``].some((w) => (l.split(' | ')[0] ?? '').includes(w)));
      expect(line, `command table row for ${name}`).toBeDefined();
      expect(line?.split(' | ').at(-1), r.subject).toContain(r.role);
    }
  });

  for (const row of rows) {
    it(`${row.subject}: ${row.role}${row.cover === '—' ? '' : ` on ${row.cover}`}`, async () => {
      const key = buttonKey(row.subject);
      const subjects = key === undefined ? [{ typed: typed(/^`([^`]+)`$/.exec(row.subject)?.[1] ?? row.subject) }] : (BUTTONS[key] ?? []).map((press) => ({ press }));
      const got: string[] = [];
      const want: string[] = [];
      for (const subject of subjects) {
        for (const role of ROLES) {
          for (const grant of GRANTS) {
            const label = `${role} granted on ${grant} ${'typed' in subject ? subject.typed : encodeAction(subject.press)}`;
            if (await decide(grantsFor(role, grant), subject)) got.push(label);
            if (expected(row, role, grant)) want.push(label);
          }
        }
        const label = `no grant ${'typed' in subject ? subject.typed : encodeAction(subject.press)}`;
        if (await decide(grantsFor('viewer', 'none'), subject)) got.push(label);
        if (expected(row, undefined, 'none')) want.push(label);
      }
      expect(got).toEqual(want);
    });
  }
});
