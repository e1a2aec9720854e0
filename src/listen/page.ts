import type { LinkRejection } from './links.ts';

/**
 * HTML of the player page and of the rejection pages. Pure string building; every value is escaped.
 * No inline script or style: the CSP allows only the bot's own files.
 */

export const ASSET_PREFIX = '/listen-assets';

export interface PlayerCall {
  readonly caller: string;
  readonly called: string;
  readonly callerName: string | undefined;
  readonly durationSec: number;
}

/** `paused` before play is pressed; `ended` / `unreachable` when the page load already knows. */
export type InitialState = 'paused' | 'ended' | 'unreachable';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${ASSET_PREFIX}/player.css">
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderPlayerPage(call: PlayerCall | undefined, initial: InitialState, expiresAt: number): string {
  const who = call
    ? `<span class="party" id="caller">${escapeHtml(call.callerName ? `${call.callerName} (${call.caller})` : call.caller)}</span>
    <span class="arrow" aria-hidden="true">→</span>
    <span class="party" id="called">${escapeHtml(call.called)}</span>`
    : '<span class="party">Call details unavailable</span>';
  const body = `<main id="player" data-state="${initial}" data-frames="0" data-level="0" data-expires="${expiresAt}" data-duration="${call?.durationSec ?? 0}">
  <h1>Live call</h1>
  <p class="call">${who}</p>
  <p class="meta"><span id="duration" aria-label="duration">--:--</span> <span id="buffer" aria-label="audio buffered"></span></p>
  <div class="controls">
    <button id="play" type="button" aria-pressed="false">Play</button>
    <meter id="level" min="0" max="1" low="0.05" high="0.6" optimum="0.3" value="0" aria-label="audio level"></meter>
  </div>
  <p id="status" role="status" aria-live="polite"></p>
</main>
<script src="${ASSET_PREFIX}/player.js"></script>`;
  return layout('Live call', body);
}

export interface RejectionPage {
  readonly status: 403 | 410;
  readonly html: string;
}

const REJECTIONS: Record<LinkRejection | 'used', { status: 403 | 410; text: string }> = {
  expired: { status: 410, text: 'This listen link has expired. Ask for a new one with /meetme listen.' },
  used: { status: 410, text: 'This listen link has already been used. Ask for a new one with /meetme listen.' },
  unknown_key: { status: 403, text: 'This listen link was signed with a key this bot no longer uses. Ask the bot for a new one.' },
  tampered: { status: 403, text: 'This listen link is not valid: it failed its signature check.' },
  malformed: { status: 403, text: 'This is not a valid listen link.' },
};

export function renderRejectionPage(reason: LinkRejection | 'used'): RejectionPage {
  const { status, text } = REJECTIONS[reason];
  const title = status === 410 ? 'Link expired' : 'Link not valid';
  const state = status === 410 ? 'expired' : 'invalid';
  return { status, html: layout(title, `<main id="player" class="rejected" data-state="${state}">\n  <h1>${title}</h1>\n  <p id="status">${escapeHtml(text)}</p>\n</main>`) };
}

export function renderNotFoundPage(): string {
  return layout('Not found', '<main id="player" class="rejected" data-state="invalid">\n  <h1>Not found</h1>\n</main>');
}
