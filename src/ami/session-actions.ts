import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AmiLink } from './types.ts';
import { validate } from './action-schema.ts';

/** Session actions: the client calls these on its own socket, before it counts as connected. */

/** All the session actions need: one plain action at a time. */
export type ActionSender = Pick<AmiLink, 'action'>;

const challengeSchema = z.object({ challenge: z.string().min(1) });
/** A refusal is `Response: Error`, which the link already rejects with `AmiActionError`. */
const loginSchema = z.object({ response: z.string().regex(/^success$/i) });
const logoffSchema = z.object({ response: z.string().regex(/^goodbye$/i) });

/**
 * Asks for the MD5 login challenge.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Challenge/
 */
export async function challenge(link: ActionSender): Promise<string> {
  return validate('Challenge', challengeSchema, await link.action({ action: 'Challenge', fields: { AuthType: 'MD5' } })).challenge;
}

export interface LoginParams {
  readonly username: string;
  readonly secret: string;
  /** `md5` answers a Challenge with md5hex(challenge + secret), so the secret never crosses the wire. */
  readonly authType: 'plain' | 'md5';
  /** The session's `Events:` mask. */
  readonly events: string;
}

/**
 * Logs in, plain or by MD5 challenge. A refusal rejects with `AmiActionError` (`Response: Error`).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Login/
 */
export async function login(link: ActionSender, p: LoginParams): Promise<void> {
  const fields = p.authType === 'md5'
    ? { AuthType: 'MD5', Username: p.username, Key: createHash('md5').update((await challenge(link)) + p.secret).digest('hex'), Events: p.events }
    : { Username: p.username, Secret: p.secret, Events: p.events };
  validate('Login', loginSchema, await link.action({ action: 'Login', fields }));
}

/**
 * Ends the session; Asterisk answers `Response: Goodbye` and closes the socket.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Logoff/
 */
export async function logoff(link: ActionSender): Promise<void> {
  validate('Logoff', logoffSchema, await link.action({ action: 'Logoff' }));
}
