import type { ChannelTech } from './types.ts';

/**
 * Channel names and Uniqueids shaped like the ones Asterisk makes, per technology:
 * `PJSIP/alice-0000001a`, `SIP/701-b6d13438`, `IAX2/702-4`, `DAHDI/1-1`,
 * `Local/200@confs-00000000;1`, and Uniqueids `<epoch seconds>.<counter>`.
 * Counters only grow (also across a restart), so a name or Uniqueid never comes back.
 */
export class ChannelNamer {
  private uniqueSeq = 0;
  private pjsipSeq = 0;
  private localSeq = 0;
  private sipSeq = 0;
  private iaxSeq = 0;
  private dahdiSeq = 0;

  constructor(private readonly now: () => number) {}

  uniqueid(): string {
    return `${Math.floor(this.now() / 1000)}.${this.uniqueSeq++}`;
  }

  /** A channel name for `tech`; for Local use `localPair` instead. */
  name(tech: Exclude<ChannelTech, 'Local'>, endpoint: string): string {
    switch (tech) {
      case 'PJSIP':
        return `PJSIP/${endpoint}-${hex8(this.pjsipSeq++)}`;
      case 'SIP':
        // chan_sip suffixes a pointer-like hex value; a multiplicative hash looks the part.
        return `SIP/${endpoint}-${hex8(Math.imul(++this.sipSeq, 0x9e3779b1) >>> 0)}`;
      case 'IAX2':
        return `IAX2/${endpoint}-${++this.iaxSeq}`;
      case 'DAHDI':
        return `DAHDI/${++this.dahdiSeq}-1`;
    }
  }

  /**
   * A new conference's announcer channel (`CBAnn/<room>-0000000n`). It is never reported, but it
   * takes a number from the counter Local channels use, so Local names skip one per new room, as
   * in the capture (`...-00000000`, then `...-00000002`).
   */
  announcer(): void {
    this.localSeq++;
  }

  /** The two halves of a Local channel: `;1` (the originating side) and `;2` (runs exten@context). */
  localPair(exten: string, context: string): readonly [string, string] {
    const base = `Local/${exten}@${context}-${hex8(this.localSeq++)}`;
    return [`${base};1`, `${base};2`];
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Slug usable as the device part of a channel name. */
export function endpointFor(num: string | undefined, name: string | undefined): string {
  if (num !== undefined && num !== '') return num.replace(/[^A-Za-z0-9_.+-]/g, '');
  const slug = (name ?? '').toLowerCase().replace(/[^a-z0-9_.-]+/g, '');
  return slug === '' ? 'guest' : slug;
}
