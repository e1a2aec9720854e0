import { z } from 'zod';
import { NotAvailableYetError } from '../errors.ts';
import type { LineFigures, ParticipantLineSummary } from '../services.ts';
import { replyView, type TableView } from '../views.ts';
import { one, room } from './grammar.ts';
import { done, ROOM_OPTION, roomField, type CommandSpec } from './spec.ts';

export interface QualityCommand { readonly name: 'quality'; readonly room: string; readonly who: string | undefined }

/** The figure columns `quality` and `calls` share. */
export const LINE_COLUMNS = ['MOS from/to caller', 'Loss 10s', 'Loss', 'Jitter'] as const;

const mos = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(1));
const pct = (v: number | undefined): string => (v === undefined ? '–' : `${v.toFixed(v < 10 ? 1 : 0)}%`);

/** `4.4 / 2.7`, `0.0%`, `12%`, `18 ms`: the cells under LINE_COLUMNS. */
export function lineCells(f: LineFigures): string[] {
  const jitter = f.jitterMs === undefined ? '–' : `${f.jitterMs < 10 ? f.jitterMs.toFixed(1) : Math.round(f.jitterMs)} ms`;
  return [`${mos(f.mosFromCaller)} / ${mos(f.mosToCaller)}`, pct(f.loss10s), pct(f.lossTotal), jitter];
}

function table(lines: readonly ParticipantLineSummary[]): TableView {
  return {
    columns: ['Who', 'Line', ...LINE_COLUMNS, 'Codec', 'Sensor'],
    rows: lines.map((p) => (p.line === undefined
      ? [p.label, 'not seen', '', '', '', '', '', '']
      : [p.label, p.line.mark ?? 'measuring', ...lineCells(p.line), p.line.codec ?? '', p.line.sensor])),
  };
}

/** Room-scoped and read-only: whoever may `show` the room may see how its lines sound. */
export const qualitySpec: CommandSpec<QualityCommand> = {
  name: 'quality', usage: 'quality <room> [who]', summary: 'voice quality of the room\'s lines: MOS, loss, jitter, codec', minArgs: 1, maxArgs: 2,
  grammar: z.union([z.tuple([room]), z.tuple([room, one])]).transform(([r, w]) => ({ name: 'quality' as const, room: r, who: w })),
  options: [ROOM_OPTION, { name: 'who', description: 'one participant (default: everyone)', type: 'string', required: false, autocomplete: 'participant' }],
  leastRole: 'viewer', confirmation: 'never', roomMayBeInactive: false,
  role: () => 'viewer', scope: () => 'room', roomOf: roomField, visibility: () => 'private', auditTarget: (c) => c.who ?? c.room,
  async handle(c, ctx) {
    const quality = ctx.deps.quality;
    if (quality === undefined) throw new NotAvailableYetError('Line quality', 'It needs a VoIPmonitor sensor (`sensors` in the configuration).');
    const target = ctx.room();
    const only = c.who === undefined ? undefined : await ctx.ops.backend(target.pbx).resolve(target.room, c.who);
    const lines = (await quality.roomLines(target.pbx, target.room)).filter((l) => only === undefined || l.uniqueid === only.uniqueid);
    const seen = lines.filter((l) => l.line !== undefined).length;
    const whom = only === undefined ? `room ${target.room}` : (lines[0]?.label ?? c.who ?? '');
    if (seen === 0) {
      const why = only === undefined ? `No sensor sees the calls in ${whom}.` : `No sensor sees the call of ${whom}.`;
      return done(replyView(`${why} A sensor matches a call by SIP Call-ID, so only SIP participants whose traffic it captures can be measured.`), c.who ?? target.room);
    }
    const poor = lines.filter((l) => l.line?.mark === 'poor').map((l) => l.label);
    const headline = poor.length === 0 ? `Line quality in ${whom}.` : `Line quality in ${whom}: poor for ${poor.join(', ')}.`;
    return done(replyView(headline, { title: `Line quality, room ${target.room}`, tone: poor.length === 0 ? 'info' : 'warning', table: table(lines) }), c.who ?? target.room);
  },
};
