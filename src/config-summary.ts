import type { Config, PbxConfig, SensorConfig } from './config.ts';
import { problemFix, problemLabel } from './conference/link-problem.ts';
import type { PbxState } from './conference/types.ts';
import type { ConfigSummary, ListenSummary } from './core/services.ts';

/**
 * The running configuration for `config`, built field by field from the parsed Config and runtime
 * state. Only named, non-secret fields are copied: AMI secrets, chat tokens, the signing key and AES
 * keys/IVs never reach the summary, whatever else the config holds.
 */

export interface ConfigRuntime {
  /** The PBXs the bot runs: the configured ones plus the embedded one. */
  readonly pbxs: readonly PbxConfig[];
  /** The sensors the bot uses: the configured ones plus the embedded one. */
  readonly sensors: readonly SensorConfig[];
  /** A PBX's live state (availability, detected dialect), or undefined when unknown. */
  readonly pbxState: (pbx: string) => Pick<PbxState, 'dialect' | 'available' | 'since' | 'problem'> | undefined;
  /** Chat adapters running, by name. */
  readonly adapters: readonly string[];
  /** The player page's address, or undefined when live listening is not running. */
  readonly playerUrl: string | undefined;
}

/** A URL without any user:password part, which some people put in a base URL. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

function listenSummary(config: Config, playerUrl: string | undefined): ListenSummary | undefined {
  if (playerUrl === undefined) return undefined;
  return {
    publicBaseUrl: withoutCredentials(config.listen.publicBaseUrl ?? playerUrl),
    linkTtlSec: config.listen.linkTtlSec,
    singleUse: config.listen.singleUse,
    playerAddress: withoutCredentials(playerUrl),
  };
}

export function summarizeConfig(config: Config, runtime: ConfigRuntime): ConfigSummary {
  return {
    pbxs: runtime.pbxs.map((p) => {
      const state = runtime.pbxState(p.id);
      return {
        id: p.id,
        host: p.host,
        port: p.port,
        tls: p.tls,
        authType: p.authType,
        dialect: p.dialect,
        detectedDialect: state?.dialect,
        available: state?.available ?? false,
        since: state?.since,
        problem: state?.problem === undefined ? undefined : { kind: state.problem.kind, label: problemLabel(state.problem), fix: problemFix(state.problem, p) },
      };
    }),
    sensors: runtime.sensors.map((s) => ({
      id: s.id,
      address: s.socketPath ?? `${s.host}:${s.port}`,
      aes: s.aesKey !== undefined,
      cipher: s.aesKey !== undefined ? s.aesCipher : undefined,
    })),
    listen: listenSummary(config, runtime.playerUrl),
    adapters: [...runtime.adapters],
    grants: config.roles.map((g) => ({ role: g.role, users: [...g.users], groups: [...g.groups], pbx: g.pbx, rooms: g.rooms })),
    dataDir: config.dataDir,
    logLevel: config.logLevel,
  };
}
