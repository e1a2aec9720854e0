import { createHmac } from 'node:crypto';

/**
 * Builders for what Slack sends the app: slash command forms, block_actions payloads, and the
 * v0 request signature HTTP mode checks.
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack
 */

export interface Who {
  readonly userId: string;
  readonly userName: string;
  readonly channelId: string;
  readonly teamId: string;
}

export const ALICE: Who = { userId: 'U0ALICE', userName: 'alice', channelId: 'C0ROOMS', teamId: 'T0FAKE' };

export function slashCommand(text: string, responseUrl: string, who: Who = ALICE): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: who.teamId,
    team_domain: 'fake',
    channel_id: who.channelId,
    channel_name: 'rooms',
    user_id: who.userId,
    user_name: who.userName,
    command: '/meetme',
    text,
    api_app_id: 'A0FAKE',
    response_url: responseUrl,
    trigger_id: '1.2.3',
  };
}

export interface PressOptions {
  readonly value: string;
  readonly messageTs: string;
  readonly responseUrl: string;
  readonly element?: 'button' | 'overflow';
  readonly who?: Who;
  readonly ephemeral?: boolean;
}

export function blockActions(options: PressOptions): Record<string, unknown> {
  const who = options.who ?? ALICE;
  const action = options.element === 'overflow'
    ? { type: 'overflow', action_id: 'mm.0', block_id: 'b0', selected_option: { text: { type: 'plain_text', text: 'x' }, value: options.value }, action_ts: '1.2' }
    : { type: 'button', action_id: 'mm.0', block_id: 'b0', text: { type: 'plain_text', text: 'x' }, value: options.value, action_ts: '1.2' };
  return {
    type: 'block_actions',
    token: 'legacy-verification-token',
    api_app_id: 'A0FAKE',
    team: { id: who.teamId, domain: 'fake' },
    user: { id: who.userId, username: who.userName, name: who.userName, team_id: who.teamId },
    container: { type: 'message', message_ts: options.messageTs, channel_id: who.channelId, is_ephemeral: options.ephemeral ?? false },
    channel: { id: who.channelId, name: 'rooms' },
    message: { type: 'message', ts: options.messageTs, text: '' },
    response_url: options.responseUrl,
    trigger_id: '1.2.3',
    actions: [action],
  };
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function interactiveBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function signatureHeaders(signingSecret: string, body: string, timestampSec: number): Record<string, string> {
  const base = `v0:${timestampSec}:${body}`;
  const signature = `v0=${createHmac('sha256', signingSecret).update(base).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': signature,
  };
}
