import type { Config, PbxConfig, SensorConfig } from '../config.ts';
import type { ListenServer } from '../listen/server.ts';
import type { EmbeddedPbx } from '../sim/pbx/index.ts';
import type { EmbeddedSensor } from '../sim/sensor/server.ts';

/** What the bot prints once it runs: where each part is, and how to point it at real ones. */
export function describeBanner(parts: {
  config: Config;
  embeddedPbx: EmbeddedPbx | undefined;
  embeddedSensor: EmbeddedSensor | undefined;
  listenServer: ListenServer | undefined;
  adapters: readonly string[];
  pbxs: readonly PbxConfig[];
  sensors: readonly SensorConfig[];
  localAdmin: boolean;
}): string {
  const lines = ['meetme-bot is running.'];
  if (parts.embeddedPbx) {
    lines.push(`  PBX:      embedded ${parts.embeddedPbx.dialect} PBX on ${parts.embeddedPbx.host}:${parts.embeddedPbx.port} (AMI), demo rooms 200 and 201`);
  }
  for (const p of parts.pbxs) if (p.id !== 'demo') lines.push(`  PBX:      ${p.id} at ${p.host}:${p.port}${p.tls ? ' (TLS)' : ''}`);
  if (parts.embeddedSensor) lines.push(`  Sensor:   embedded VoIPmonitor sensor on ${parts.embeddedSensor.host}:${parts.embeddedSensor.port}`);
  for (const s of parts.sensors) if (s.id !== 'demo-sensor') lines.push(`  Sensor:   ${s.id} at ${s.socketPath ?? `${s.host}:${s.port}`}${s.aesKey ? ' (AES)' : ''}`);
  if (parts.listenServer) lines.push(`  Player:   ${parts.listenServer.url}/listen/<token> (links from /meetme listen)`);
  lines.push(`  Chat:     ${parts.adapters.join(', ')}`);
  if (parts.localAdmin) lines.push('  Access:   the local shell user is admin; chat users get the roles in the config.');
  if (parts.embeddedPbx) {
    lines.push('  Real PBX: set AMI_HOST, AMI_USERNAME, AMI_SECRET (or a MEETME_CONFIG file); Slack: SLACK_BOT_TOKEN + SLACK_APP_TOKEN.');
  }
  lines.push('  Type `help` for commands, `quit` to stop.');
  return lines.join('\n');
}
