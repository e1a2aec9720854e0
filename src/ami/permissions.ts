/**
 * Write classes Asterisk registers for the actions the bot sends (manager.c, app_confbridge.c,
 * app_meetme.c); a manager user with any one of them may send the action. Only used to tell an admin
 * what to grant after `Permission denied`, so a missing entry costs a vaguer hint, nothing more.
 */
const WRITE_CLASSES: Readonly<Record<string, readonly string[]>> = {
  command: ['command'],
  originate: ['originate'],
  hangup: ['system', 'call'],
  redirect: ['call'],
  setvar: ['call'],
  getvar: ['call', 'reporting'],
  status: ['system', 'call', 'reporting'],
  coreshowchannels: ['system', 'reporting'],
  confbridgelist: ['reporting'],
  confbridgelistrooms: ['reporting'],
  confbridgemute: ['call'],
  confbridgeunmute: ['call'],
  confbridgekick: ['call'],
  confbridgelock: ['call'],
  confbridgeunlock: ['call'],
  confbridgestartrecord: ['system'],
  confbridgestoprecord: ['system'],
  meetmelist: ['reporting'],
  meetmelistrooms: ['reporting'],
  meetmemute: ['call'],
  meetmeunmute: ['call'],
};

export function writeClassesOf(action: string): readonly string[] {
  return WRITE_CLASSES[action.toLowerCase()] ?? [];
}

/** Asterisk's exact refusal text for an action outside the user's classes. */
export function isPermissionDenied(amiMessage: string): boolean {
  return /^\s*permission denied\s*$/i.test(amiMessage);
}
