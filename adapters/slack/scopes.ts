/**
 * Every Web API method the adapter calls with the bot token, and the bot scope it needs. The
 * manifest test checks this table against manifest.yml and against the methods the adapter really
 * called on the fake Slack, so the manifest asks for exactly what the code uses.
 * @see https://docs.slack.dev/reference/methods
 */
export const METHOD_SCOPES = {
  'auth.test': undefined,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'conversations.open': 'im:write',
  'usergroups.list': 'usergroups:read',
  // Publishing a user's Home tab needs no scope, only the Home tab turned on in the manifest.
  'views.publish': undefined,
} as const satisfies Record<string, string | undefined>;

export type SlackMethod = keyof typeof METHOD_SCOPES;

/** Scopes needed by things other than Web API calls: receiving the slash command. */
export const FEATURE_SCOPES = ['commands'] as const;

/** Methods called with the app-level token (Socket Mode), which carry no bot scope. */
export const APP_TOKEN_METHODS = ['apps.connections.open'] as const;

/** The bot scopes the manifest must declare: no more, no less. */
export function requiredBotScopes(): string[] {
  const fromMethods = Object.values(METHOD_SCOPES).filter((s): s is NonNullable<typeof s> => s !== undefined);
  return [...new Set<string>([...FEATURE_SCOPES, ...fromMethods])].sort();
}
