/**
 * An independent reading of Slack's Block Kit limits: walks a rendered message and lists every
 * violation. Written against Slack's reference, not against the renderer's constants.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string => (isObj(v) && typeof v['text'] === 'string' ? v['text'] : '');

function allText(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x: unknown) => n + allText(x), 0);
  if (!isObj(node)) return 0;
  let n = (node['type'] === 'plain_text' || node['type'] === 'mrkdwn') && typeof node['text'] === 'string' ? node['text'].length : 0;
  for (const [k, v] of Object.entries(node)) if (!(k === 'text' && typeof v === 'string')) n += allText(v);
  return n;
}

export function slackLimitViolations(blocks: readonly unknown[], fallback: string): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  const actionIds = new Set<string>();
  const element = (el: unknown, where: string): void => {
    if (!isObj(el)) return;
    const id = el['action_id'];
    if (typeof id === 'string') {
      check(id.length > 0 && id.length <= 255, `${where}: action_id length ${id.length}`);
      check(!actionIds.has(id), `${where}: duplicate action_id ${id}`);
      actionIds.add(id);
    }
    if (el['type'] === 'button') {
      check(textOf(el['text']).length <= 75, `${where}: button text ${textOf(el['text']).length}`);
      check(typeof el['value'] !== 'string' || el['value'].length <= 2000, `${where}: button value too long`);
    }
    if (el['type'] === 'overflow') {
      const options = Array.isArray(el['options']) ? el['options'] : [];
      check(options.length >= 2 && options.length <= 5, `${where}: overflow has ${options.length} options`);
      for (const o of options) {
        check(textOf(isObj(o) ? o['text'] : undefined).length <= 75, `${where}: option text too long`);
        check(isObj(o) && typeof o['value'] === 'string' && o['value'].length <= 75, `${where}: option value too long`);
      }
    }
    const confirm = el['confirm'];
    if (isObj(confirm)) {
      check(textOf(confirm['title']).length <= 100, `${where}: confirm title`);
      check(textOf(confirm['text']).length <= 300, `${where}: confirm text`);
      check(textOf(confirm['confirm']).length <= 30, `${where}: confirm button`);
      check(textOf(confirm['deny']).length <= 30, `${where}: deny button`);
    }
  };

  check(blocks.length <= 50, `${blocks.length} blocks`);
  blocks.forEach((block, i) => {
    const where = `block ${i}`;
    if (!isObj(block)) return;
    switch (block['type']) {
      case 'header':
        check(textOf(block['text']).length <= 150, `${where}: header ${textOf(block['text']).length}`);
        break;
      case 'section': {
        check(textOf(block['text']).length <= 3000, `${where}: section text ${textOf(block['text']).length}`);
        const fields = Array.isArray(block['fields']) ? block['fields'] : [];
        check(fields.length <= 10, `${where}: ${fields.length} fields`);
        for (const f of fields) check(textOf(f).length <= 2000, `${where}: field text`);
        check(block['text'] !== undefined || fields.length > 0, `${where}: empty section`);
        element(block['accessory'], where);
        break;
      }
      case 'context': {
        const elements = Array.isArray(block['elements']) ? block['elements'] : [];
        check(elements.length >= 1 && elements.length <= 10, `${where}: ${elements.length} context elements`);
        for (const e of elements) check(textOf(e).length <= 2000, `${where}: context text`);
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block['elements']) ? block['elements'] : [];
        check(elements.length >= 1 && elements.length <= 25, `${where}: ${elements.length} actions`);
        for (const e of elements) element(e, where);
        break;
      }
      default:
        problems.push(`${where}: unexpected block type ${String(block['type'])}`);
    }
  });
  check(allText(blocks) <= 12_000, `visible text ${allText(blocks)} chars`);
  check(fallback.length > 0 && fallback.length <= 12_000, `fallback text ${fallback.length} chars`);
  return problems;
}
