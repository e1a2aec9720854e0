/**
 * The `manager.conf` write class each action the bot sends needs (Asterisk 22: the class an action
 * is registered with; a user whose `write` has none of them gets `Permission denied`). The first
 * class listed is the one to add.
 * @see https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/AMI-Configuration/
 */
export const ACTION_WRITE_CLASSES: Readonly<Record<string, readonly string[]>> = {
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
  originate: ['originate'],
  hangup: ['system', 'call'],
  redirect: ['call'],
  setvar: ['call'],
  getvar: ['call', 'reporting'],
  status: ['system', 'call', 'reporting'],
  coreshowchannels: ['system', 'reporting'],
  command: ['command'],
};

/** The classes `action` needs (any one of them), or none for actions every user may send (Ping). */
export function writeClassesOf(action: string): readonly string[] {
  return ACTION_WRITE_CLASSES[action.trim().toLowerCase()] ?? [];
}

/** Asterisk's answer to an action the user's write classes do not cover. */
export const PERMISSION_DENIED = /^permission denied$/i;
