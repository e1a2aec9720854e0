/** What a person would read in a Block Kit message, as plain lines (for assertions, not layout). */
export function visibleText(blocks: readonly unknown[], fallback = ''): string {
  const lines: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if ((record['type'] === 'plain_text' || record['type'] === 'mrkdwn') && typeof record['text'] === 'string') {
      lines.push(record['text']);
    }
    for (const [key, value] of Object.entries(record)) if (key !== 'confirm') walk(value);
  };
  walk(blocks);
  if (lines.length === 0 && fallback !== '') lines.push(fallback);
  return lines.join('\n');
}
