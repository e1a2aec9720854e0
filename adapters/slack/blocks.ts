import type { types } from '@slack/bolt';
import type { ButtonView, ConfirmView } from '../../src/core/views.ts';
import { BLOCK_KIT } from './limits.ts';
import { escapeMrkdwn, fitMrkdwn, truncate } from './text.ts';

/** Block Kit building blocks shared by the status, reply and alert renderers. */

export type Block = types.KnownBlock;
export type ButtonElement = types.Button;
export type OverflowElement = types.Overflow;

/** Placeholder until `assignActionIds` numbers the elements of the finished message. */
const UNASSIGNED = '';

export function plain(text: string, max: number): types.PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

/**
 * `verbatim` stops Slack's own preprocessing (bare URLs and #channel names turned into links), for
 * text that carries what callers chose to be called.
 * @see https://docs.slack.dev/reference/block-kit/composition-objects/text-object
 */
export function mrkdwn(text: string, verbatim = false): types.MrkdwnElement {
  return verbatim ? { type: 'mrkdwn', text, verbatim } : { type: 'mrkdwn', text };
}

export function section(text: string, accessory?: ButtonElement | OverflowElement, options: { verbatim?: boolean } = {}): types.SectionBlock {
  const block: types.SectionBlock = { type: 'section', text: mrkdwn(text, options.verbatim) };
  if (accessory !== undefined) block.accessory = accessory;
  return block;
}

export function context(parts: readonly string[]): types.ContextBlock {
  return {
    type: 'context',
    elements: parts.slice(0, BLOCK_KIT.contextElements).map((p) => mrkdwn(truncate(p, BLOCK_KIT.contextText))),
  };
}

export function header(text: string): types.HeaderBlock {
  return { type: 'header', text: plain(text, BLOCK_KIT.headerText) };
}

function confirmDialog(view: ConfirmView, danger: boolean): types.ConfirmationDialog {
  const dialog: types.ConfirmationDialog = {
    title: plain(view.title, BLOCK_KIT.confirmTitle),
    text: plain(view.text, BLOCK_KIT.confirmText),
    confirm: plain(view.confirm, BLOCK_KIT.confirmButton),
    deny: plain(view.deny, BLOCK_KIT.confirmButton),
  };
  if (danger) dialog.style = 'danger';
  return dialog;
}

/** A button whose `value` carries the core's action id; `action_id` is numbered later. */
export function button(view: ButtonView): ButtonElement {
  const element: ButtonElement = {
    type: 'button',
    action_id: UNASSIGNED,
    text: plain(view.label, BLOCK_KIT.buttonText),
    value: view.id,
  };
  if (view.style !== 'default') element.style = view.style;
  if (view.confirm !== undefined) element.confirm = confirmDialog(view.confirm, view.style === 'danger');
  return element;
}

/** Buttons in actions blocks of at most 25 elements each. */
export function actionBlocks(buttons: readonly ButtonView[]): types.ActionsBlock[] {
  const blocks: types.ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += BLOCK_KIT.elementsPerActions) {
    blocks.push({ type: 'actions', elements: buttons.slice(i, i + BLOCK_KIT.elementsPerActions).map(button) });
  }
  return blocks;
}

/**
 * Prefix of an overflow option that stands for a button with a confirm dialog. Options cannot carry
 * a dialog of their own, so choosing such an option does not act: the adapter answers with the real
 * button, dialog included, and only pressing that reaches the core.
 */
const ASK_FIRST_PREFIX = 'slack.ask:';

function optionValue(view: ButtonView): string {
  return view.confirm === undefined ? view.id : `${ASK_FIRST_PREFIX}${view.id}`;
}

/** The core action id behind an "ask first" overflow option, or undefined for any other value. */
export function askFirstTarget(value: string): string | undefined {
  return value.startsWith(ASK_FIRST_PREFIX) ? value.slice(ASK_FIRST_PREFIX.length) : undefined;
}

/** An overflow menu can stand in for 2 to 5 buttons whose option values fit Slack's bound. */
export function fitsOverflow(buttons: readonly ButtonView[]): boolean {
  return (
    buttons.length >= 2 &&
    buttons.length <= BLOCK_KIT.overflowOptions &&
    buttons.every((b) => optionValue(b).length <= BLOCK_KIT.optionValue)
  );
}

/** Buttons as menu options; one that needs confirming is labelled "Kick…", as it asks before acting. */
export function overflow(buttons: readonly ButtonView[]): OverflowElement {
  return {
    type: 'overflow',
    action_id: UNASSIGNED,
    options: buttons.map((b) => ({
      text: plain(b.confirm === undefined ? b.label : `${b.label}…`, BLOCK_KIT.optionText),
      value: optionValue(b),
    })),
  };
}

/** Makes a URL safe inside `<url|label>`: the delimiters must not appear raw. */
export function linkMrkdwn(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
  return `<${safeUrl}|${escapeMrkdwn(label.replace(/[|]/g, '/'))}>`;
}

export { fitMrkdwn };

/** Characters a reader sees: every plain_text and mrkdwn text object in the tree. */
export function visibleChars(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((sum: number, item: unknown) => sum + visibleChars(item), 0);
  if (node === null || typeof node !== 'object') return 0;
  const record = node as Record<string, unknown>;
  let sum = 0;
  if ((record['type'] === 'plain_text' || record['type'] === 'mrkdwn') && typeof record['text'] === 'string') {
    sum += record['text'].length;
  }
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'text' || typeof value !== 'string') sum += visibleChars(value);
  }
  return sum;
}

/**
 * Numbers every interactive element `mm.0`, `mm.1`, ... Slack requires action ids unique within a
 * message, and the core's ids (carried in `value`) may repeat across rows.
 */
export function assignActionIds(blocks: Block[]): Block[] {
  let next = 0;
  const number = (element: object): void => {
    if ('action_id' in element) element.action_id = `mm.${next++}`;
  };
  for (const block of blocks) {
    if (block.type === 'actions') {
      for (const element of block.elements) number(element);
    } else if (block.type === 'section' && block.accessory !== undefined) {
      number(block.accessory);
    }
  }
  return blocks;
}

/**
 * Collects blocks while both budgets (block count, visible characters) hold. Once a block does not
 * fit, nothing more is added and a short note says the message was cut.
 */
export class BlockBudget {
  private readonly blocks: Block[] = [];
  private chars = 0;
  private cut = false;
  private static readonly NOTE = '… (more not shown)';

  add(block: Block): boolean {
    if (this.cut) return false;
    const size = visibleChars(block);
    const reserveBlocks = 1;
    const reserveChars = BlockBudget.NOTE.length;
    if (
      this.blocks.length + 1 + reserveBlocks > BLOCK_KIT.blocksPerMessage ||
      this.chars + size + reserveChars > BLOCK_KIT.messageChars
    ) {
      this.cut = true;
      return false;
    }
    this.blocks.push(block);
    this.chars += size;
    return true;
  }

  finish(): Block[] {
    if (this.cut) this.blocks.push(context([BlockBudget.NOTE]));
    return assignActionIds(this.blocks);
  }
}

/** Splits mrkdwn text into section-sized chunks, preferring line breaks. */
export function splitSections(text: string, max: number = BLOCK_KIT.sectionText): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const at = rest.lastIndexOf('\n', max);
    let cut = at > max / 2 ? at : max;
    // Never split an HTML entity produced by escaping.
    const amp = rest.lastIndexOf('&', cut);
    if (amp > 0 && amp > cut - 5 && rest.indexOf(';', amp) >= cut) cut = amp;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}
