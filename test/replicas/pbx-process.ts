import { createInterface } from 'node:readline';
import { startEmbeddedPbx } from '../../src/sim/pbx/index.ts';

/**
 * The embedded PBX as a process of its own, for tests that run several bot replicas against one
 * PBX: it listens on a free port, prints `PORT <n>`, and takes one JSON command a line on stdin
 * (`join`, `leave`, `rooms`), answering each with one JSON line on stdout.
 */

const pbx = await startEmbeddedPbx({ dialect: 'confbridge', users: [{ username: 'bot', secret: 'replicas-secret' }] });
process.stdout.write(`PORT ${pbx.port}\n`);

type Command =
  | { readonly op: 'join'; readonly room: string; readonly num: string; readonly name: string }
  | { readonly op: 'leave'; readonly uniqueid: string }
  | { readonly op: 'rooms' };

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as Command;
  if (cmd.op === 'join') process.stdout.write(`${JSON.stringify({ uniqueid: pbx.join(cmd.room, { num: cmd.num, name: cmd.name, tech: 'PJSIP' }).uniqueid })}\n`);
  else if (cmd.op === 'leave') {
    pbx.leave(cmd.uniqueid);
    process.stdout.write('{}\n');
  } else process.stdout.write(`${JSON.stringify(pbx.rooms())}\n`);
}
await pbx.stop();
