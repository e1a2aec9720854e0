import { pbxSchema, sensorSchema, type PbxConfig, type SensorConfig } from '../config.ts';
import type { EmbeddedPbx } from '../sim/pbx/index.ts';
import type { EmbeddedSensor } from '../sim/sensor/server.ts';

/** The bot reaches its embedded PBX and sensor through the same config a real one would have. */

export const EMBEDDED_PBX_USER = { username: 'bot', secret: 'embedded-demo-secret' } as const;

/** The PBX config the bot uses to reach its own embedded PBX. */
export function embeddedPbxConfig(pbx: EmbeddedPbx): PbxConfig {
  return pbxSchema.parse({
    id: 'demo',
    host: pbx.host,
    port: pbx.port,
    username: EMBEDDED_PBX_USER.username,
    secret: EMBEDDED_PBX_USER.secret,
    authType: 'md5',
    dialect: 'auto',
    pingIntervalMs: 15_000,
    muzak: { channel: 'Local/muzak-{room}@musiconhold', context: 'confs', exten: '{room}', callerId: 'Muzak <7000>' },
    stream: { channel: 'Local/icecast-{room}@streams', context: 'confs', exten: '{room}', callerId: 'Icecast <7100>' },
    invite: { channel: 'PJSIP/{number}', context: 'confs', exten: '{room}' },
    transferContext: 'confs',
    lobbies: { '200': { type: 'moh', context: 'lobby', exten: '200' } },
  });
}

export function embeddedSensorConfig(sensor: EmbeddedSensor): SensorConfig {
  return sensorSchema.parse({ id: 'demo-sensor', host: sensor.host, port: sensor.port });
}
