import type { AlertSeverity, AlertView, ReplyView, Tone, View } from '../../src/core/views.ts';
import {
  actionBlocks, BlockBudget, context, fitMrkdwn, header, linkMrkdwn, section, splitSections, type Block,
} from './blocks.ts';
import { BLOCK_KIT } from './limits.ts';
import { renderStatus } from './render-status.ts';
import { tableSections } from './render-table.ts';
import { escapeMrkdwn, literalMrkdwn, slackTime, textMrkdwn, truncate } from './text.ts';

const VERBATIM = { verbatim: true } as const;

/**
 * Block Kit renderer: turns any View into `{ blocks, text }` within Slack's limits. `text` is the
 * fallback shown in notifications and by clients that cannot draw blocks.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */

export interface RenderedMessage {
  readonly blocks: Block[];
  readonly text: string;
}

export { renderStatus } from './render-status.ts';
export type { Block } from './blocks.ts';

const TONE_EMOJI: Record<Tone, string> = {
  info: ':information_source:',
  success: ':white_check_mark:',
  warning: ':warning:',
  error: ':x:',
};

const SEVERITY_EMOJI: Record<AlertSeverity, string> = {
  info: 'ℹ️',
  warning: '⚠️',
  critical: '🚨',
};

export function renderReply(view: ReplyView): { blocks: Block[]; text: string } {
  const budget = new BlockBudget();
  const title = view.title !== undefined ? `*${fitMrkdwn(view.title, 200, literalMrkdwn)}*\n` : '';
  const body = `${TONE_EMOJI[view.tone]} ${title}${textMrkdwn(view.text)}`;
  // verbatim: Slack must not turn a caller's "#sales" or a bare URL in a name into a link.
  for (const chunk of splitSections(body)) budget.add(section(chunk, undefined, VERBATIM));
  if (view.table !== undefined) for (const chunk of tableSections(view.table)) budget.add(section(chunk, undefined, VERBATIM));
  if (view.link !== undefined) budget.add(section(truncate(`:link: ${linkMrkdwn(view.link.url, view.link.label)}`, BLOCK_KIT.sectionText)));
  for (const block of actionBlocks(view.buttons)) budget.add(block);
  if (view.correlationId !== undefined) budget.add(context([`ref \`${escapeMrkdwn(view.correlationId)}\``]));
  const fallback = [view.title, view.text].filter((s): s is string => s !== undefined && s.trim() !== '').join(': ');
  // Slack wants a non-empty fallback for notifications and screen readers.
  return { blocks: budget.finish(), text: fitMrkdwn(fallback, BLOCK_KIT.sectionText) || view.tone };
}

export function renderAlert(view: AlertView): { blocks: Block[]; text: string } {
  const budget = new BlockBudget();
  budget.add(header(`${SEVERITY_EMOJI[view.severity]} ${view.title}`));
  const ping = mentionOf(view);
  if (ping !== '') budget.add(section(ping));
  for (const chunk of splitSections(escapeMrkdwn(view.text))) budget.add(section(chunk));
  for (let i = 0; i < view.fields.length; i += BLOCK_KIT.sectionFields) {
    const fields = view.fields.slice(i, i + BLOCK_KIT.sectionFields).map(([label, value]) => ({
      type: 'mrkdwn' as const,
      text: fitMrkdwn(`${label}\n${value}`, BLOCK_KIT.sectionFieldText - 2).replace(/^([^\n]*)/, '*$1*'),
    }));
    budget.add({ type: 'section', fields });
  }
  for (const block of actionBlocks(view.buttons)) budget.add(block);
  const acked = view.ackedBy !== undefined ? ` · acknowledged by ${fitMrkdwn(view.ackedBy, 200)}` : '';
  budget.add(context([`${slackTime(view.at)}${acked}`]));
  return { blocks: budget.finish(), text: `${ping === '' ? '' : `${ping} `}${fitMrkdwn(`${view.title}: ${view.text}`, BLOCK_KIT.sectionText - 40) || 'Alert'}` };
}

/** A user group mention (`<!subteam^S0123>`); the id was validated by the rule schema. */
function mentionOf(view: AlertView): string {
  return view.mention !== undefined && /^S[A-Z0-9]{2,20}$/.test(view.mention) ? `<!subteam^${view.mention}>` : '';
}

export function renderView(view: View): RenderedMessage {
  switch (view.kind) {
    case 'status':
      return renderStatus(view);
    case 'reply':
      return renderReply(view);
    case 'alert':
      return renderAlert(view);
  }
}
