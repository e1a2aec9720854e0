import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAmiEvent, type AmiEvent } from '../../src/ami/events.ts';
import { AmiMessage, type AmiHeader } from '../../src/ami/message.ts';
import { parseAmiMessages } from '../../src/ami/protocol.ts';

/** The byte-exact captures, copied into the repo so a clone needs nothing beside it. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/ami', import.meta.url));

/** Every event of a recorded server→client transcript, typed as the client would hand them over. */
export function transcriptEvents(file: string): AmiEvent[] {
  const out: AmiEvent[] = [];
  for (const item of parseAmiMessages(readFileSync(`${FIXTURES}/${file}`))) {
    if (item.kind === 'message' && item.message.event !== undefined) out.push(parseAmiEvent(item.message));
  }
  return out;
}

/** An event built from `Key: Value` pairs, for sequences written by hand (MeetMe from ami.md). */
export function ev(fields: Record<string, string | number>): AmiEvent {
  const headers: AmiHeader[] = Object.entries(fields).map(([k, v]) => [k, String(v)] as const);
  return parseAmiEvent(new AmiMessage(headers));
}
