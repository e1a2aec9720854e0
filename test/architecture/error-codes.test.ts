import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPECTED_CODES } from '../../src/errors.ts';
import { sourceFiles } from './import-graph.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

interface ErrorClass {
  readonly name: string;
  readonly parent: string;
  /** Its own `readonly code = '…'`, if it declares one (a subclass may inherit its parent's). */
  readonly code: string | undefined;
  readonly file: string;
  /** Declared `abstract`: its concrete subclasses carry the codes. */
  readonly abstract: boolean;
}

/** Every class declared under src/ and adapters/, with its parent and its own code. */
function classes(): ErrorClass[] {
  const found: ErrorClass[] = [];
  for (const file of ['src', 'adapters'].flatMap((d) => sourceFiles(join(repo, d)))) {
    const source = readFileSync(file, 'utf8');
    const heads = [...source.matchAll(/(\babstract\s+)?\bclass\s+(\w+)\s+extends\s+(\w+)/g)];
    heads.forEach((head, i) => {
      const body = source.slice(head.index, heads[i + 1]?.index ?? source.length);
      const code = /readonly code\s*=\s*'([a-z_]+)'/.exec(body)?.[1];
      found.push({ name: head[2] ?? '', parent: head[3] ?? '', code, file: file.slice(repo.length), abstract: head[1] !== undefined });
    });
  }
  return found;
}

/** BotError and everything that descends from it. */
function botErrors(all: readonly ErrorClass[]): ErrorClass[] {
  const names = new Set(['BotError']);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of all) {
      if (names.has(c.parent) && !names.has(c.name)) {
        names.add(c.name);
        grew = true;
      }
    }
  }
  return all.filter((c) => names.has(c.name));
}

describe('error codes', () => {
  const errors = botErrors(classes());

  it('finds the BotError subclasses it walks', () => {
    expect(errors.map((e) => e.name)).toEqual(expect.arrayContaining(['InternalError', 'BadCommandError', 'RoomNotFoundError', 'PlatformRateLimitedError']));
  });

  it('gives every BotError subclass that declares a code its own code', () => {
    const byCode = new Map<string, string[]>();
    for (const e of errors) if (e.code !== undefined) byCode.set(e.code, [...(byCode.get(e.code) ?? []), `${e.name} (${e.file})`]);
    const shared = [...byCode].filter(([, owners]) => owners.length > 1);
    expect(shared).toEqual([]);
  });

  it('has a code for every direct BotError subclass', () => {
    expect(errors.filter((e) => e.parent === 'BotError' && e.code === undefined && !e.abstract).map((e) => e.name)).toEqual([]);
  });

  it('lists as expected only codes some error class has', () => {
    const codes = new Set(errors.map((e) => e.code));
    expect(Object.keys(EXPECTED_CODES).filter((c) => !codes.has(c))).toEqual([]);
  });
});
