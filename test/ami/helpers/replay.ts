import { parseAmiMessages } from '../../../src/ami/protocol.ts';
import type { AmiHeader, AmiMessage } from '../../../src/ami/message.ts';
import { fixture } from './fixtures.ts';
import type { ScriptedAmiServer } from './scripted-server.ts';

/** Recorded server messages grouped by ActionID (lower-cased): the answer and any list items. */
export function recordedAnswers(rawFixture: string): Map<string, AmiMessage[]> {
  const groups = new Map<string, AmiMessage[]>();
  for (const out of parseAmiMessages(fixture(rawFixture))) {
    if (out.kind !== 'message') continue;
    const id = out.message.actionId?.toLowerCase();
    if (id === undefined) continue;
    const group = groups.get(id) ?? [];
    group.push(out.message);
    groups.set(id, group);
  }
  return groups;
}

/**
 * Makes the server answer the next `action` with the recorded answer of `recordedId`, byte for
 * byte except for the ActionID, which becomes the client's.
 */
export function answerFromRecording(server: ScriptedAmiServer, recordings: Map<string, AmiMessage[]>, action: string, recordedId: string): void {
  const recorded = recordings.get(recordedId.toLowerCase());
  if (recorded === undefined) throw new Error(`no recorded answer ${recordedId}`);
  server.handle(action, (conn, a) => {
    for (const m of recorded) {
      const headers = m.headers.map(([k, v]): AmiHeader => (k.toLowerCase() === 'actionid' ? [k, a.actionId ?? ''] : [k, v]));
      conn.send(headers, m.body);
    }
  });
}
