import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../', import.meta.url));

/** A markdown document by its path relative to the repository root ('README.md', 'docs/x.md'). */
type Docs = ReadonlyMap<string, string>;

interface Link {
  readonly line: number;
  readonly target: string;
}

/** The lines outside fenced code blocks; with `blankCode`, inline code spans blanked so examples are not read as links. */
function proseLines(markdown: string, blankCode: boolean): { readonly line: number; readonly text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((raw, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: index + 1, text: blankCode ? raw.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length)) : raw });
  });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes; repeats get -1, -2 ... */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of proseLines(markdown, false)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Every inline link `[text](target)` in prose, external ones (with a URL scheme) left out. */
function relativeLinks(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(markdown, true)) {
    for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1] ?? '';
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ line, target });
    }
  }
  return links;
}

/** One line per link whose file, or whose heading in a markdown file, does not exist. */
function brokenLinks(docs: Docs, fileExists: (path: string) => boolean, readDoc: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const [path, markdown] of docs) {
    for (const { line, target } of relativeLinks(markdown)) {
      const [file = '', anchor] = target.split('#', 2);
      const resolved = file === '' ? path : normalize(join(dirname(path), decodeURIComponent(file)));
      const where = `${path}:${line}: ${target}`;
      if (resolved.startsWith('..') || !fileExists(resolved)) {
        broken.push(`${where} (no file ${resolved})`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      const targetDoc = resolved.endsWith('.md') ? readDoc(resolved) : undefined;
      if (targetDoc === undefined) broken.push(`${where} (an anchor into a file that is not markdown)`);
      else if (!headingAnchors(targetDoc).has(decodeURIComponent(anchor).toLowerCase())) broken.push(`${where} (no heading #${anchor} in ${resolved})`);
    }
  }
  return broken;
}

function repoDocs(): Docs {
  const paths = ['README.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  return new Map(paths.map((p) => [p, readFileSync(join(repo, p), 'utf8')]));
}

describe('links between the docs', () => {
  it('makes GitHub anchors from headings: code and punctuation dropped, repeats numbered', () => {
    const anchors = headingAnchors([
      '# Live listening (`/meetme listen`)',
      '## Web API retries (`adapters/slack/retry.ts`)',
      '## 2. Configure the bot',
      '### Who is "who"',
      '## Tests',
      '## Tests',
      '```sh',
      '# not a heading',
      '```',
    ].join('\n'));
    expect([...anchors]).toEqual([
      'live-listening-meetme-listen',
      'web-api-retries-adaptersslackretryts',
      '2-configure-the-bot',
      'who-is-who',
      'tests',
      'tests-1',
    ]);
  });

  it('reads relative links in prose, not in code or external URLs', () => {
    const links = relativeLinks([
      'See [ops](docs/operations.md#logs) and [site](https://example.com/x.md).',
      'Inline `[not](a-link.md)` code.',
      '```md',
      '[also not](b.md)',
      '```',
      '[same page](#top)',
    ].join('\n'));
    expect(links).toEqual([{ line: 1, target: 'docs/operations.md#logs' }, { line: 6, target: '#top' }]);
  });

  it('reports a missing file and a missing heading, and accepts good links', () => {
    const docs = new Map([
      ['README.md', '# Top\n[a](docs/a.md#intro) [b](docs/b.md) [c](docs/a.md#nowhere) [d](#top) [e](LICENSE#x)'],
      ['docs/a.md', '# Intro\n[up](../README.md#top) [out](../../outside.md)'],
    ]);
    const files = new Set(['README.md', 'docs/a.md', 'LICENSE']);
    expect(brokenLinks(docs, (p) => files.has(p), (p) => docs.get(p))).toEqual([
      'README.md:2: docs/b.md (no file docs/b.md)',
      'README.md:2: docs/a.md#nowhere (no heading #nowhere in docs/a.md)',
      'README.md:2: LICENSE#x (an anchor into a file that is not markdown)',
      'docs/a.md:2: ../../outside.md (no file ../outside.md)',
    ]);
  });

  it('every relative link in README.md and docs/*.md points at an existing file and heading', () => {
    const docs = repoDocs();
    const read = (path: string): string | undefined => docs.get(path) ?? (existsSync(join(repo, path)) ? readFileSync(join(repo, path), 'utf8') : undefined);
    expect(brokenLinks(docs, (p) => existsSync(join(repo, p)), read)).toEqual([]);
  });
});
