import type { ChannelTech } from './types.ts';

/**
 * Channel-name parsing. Asterisk names a channel `<Tech>/<resource>-<sequence>`, e.g.
 * `PJSIP/alice-00000001`, `SIP/701-b6d13438`, `IAX2/peer-1234`, `DAHDI/1-1`; Local channels come in
 * two halves, `Local/200@confs-00000000;1` and `;2` (`,1`/`,2` before Asterisk 1.8).
 * @see https://docs.asterisk.org/Configuration/Channel-Drivers/
 */

export interface ParsedChannel {
  readonly tech: ChannelTech;
  /** The part between the technology and the sequence suffix: peer/endpoint, span, `exten@context`. */
  readonly resource: string;
  /** Local channel half (1 is the side that ran the dialplan first), undefined for other techs. */
  readonly localHalf: 1 | 2 | undefined;
}

const KNOWN_TECHS: ReadonlyMap<string, ChannelTech> = new Map<string, ChannelTech>([
  ['sip', 'SIP'],
  ['pjsip', 'PJSIP'],
  ['iax2', 'IAX2'],
  ['local', 'Local'],
  ['dahdi', 'DAHDI'],
  ['zap', 'DAHDI'],
  ['motif', 'Motif'],
  ['webrtc', 'WebRTC'],
]);

export function parseChannel(name: string): ParsedChannel {
  const slash = name.indexOf('/');
  if (slash <= 0) return { tech: 'Unknown', resource: name, localHalf: undefined };
  const techText = name.slice(0, slash);
  const tech = KNOWN_TECHS.get(techText.toLowerCase()) ?? techText;
  let rest = name.slice(slash + 1);
  let localHalf: 1 | 2 | undefined;
  if (tech === 'Local') {
    const half = /[;,]([12])$/.exec(rest);
    if (half) {
      localHalf = half[1] === '1' ? 1 : 2;
      rest = rest.slice(0, -2);
    }
  }
  // The sequence suffix is the last `-` followed by hex digits; peers may contain dashes themselves.
  const seq = /-[0-9a-fA-F]+$/.exec(rest);
  const resource = seq && seq.index > 0 ? rest.slice(0, seq.index) : rest;
  return { tech, resource, localHalf };
}

export function channelTech(name: string): ChannelTech {
  return parseChannel(name).tech;
}

/**
 * Asterisk's stand-ins for a missing caller ID: channel snapshots write `<unknown>`; app_meetme's
 * MeetmeList and `meetme list` write `<no name>` for a missing name.
 */
const NO_CALLER_ID = new Set(['<unknown>', '<no name>']);

/** Caller number or name as the bot keeps it: undefined for `<unknown>`, `<no name>` (any case) or blank. */
export function cleanCallerId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || NO_CALLER_ID.has(v.toLowerCase())) return undefined;
  return v;
}

/**
 * Whether `channel` is an instance of the originate target `template` (`Local/moh@muzak` matches
 * `Local/moh@muzak-0000002a;1`; `PJSIP/icecast` matches `PJSIP/icecast-00000003`).
 */
export function channelMatchesTarget(channel: string, target: string): boolean {
  if (channel === target) return true;
  if (!channel.startsWith(target)) return false;
  const rest = channel.slice(target.length);
  return /^-[0-9a-fA-F]+([;,][12])?$/.test(rest);
}
