import type { PbxDialect } from '../types.ts';
import { commandAction, coreShowChannels, getVar, hangup, ping, redirect, setVar, status } from './common.ts';
import {
  confbridgeCli, confbridgeKick, confbridgeList, confbridgeListRooms, confbridgeLock, confbridgeMute,
  confbridgeStartRecord, confbridgeStopRecord, confbridgeUnlock, confbridgeUnmute,
} from './confbridge.ts';
import { meetmeCli, meetmeList, meetmeListRooms, meetmeMute, meetmeUnmute } from './meetme.ts';
import { originate } from './originate.ts';
import { failure, type ActionHandler } from './reply.ts';

/**
 * The actions a logged-in session may run, keyed by lower-cased name (AMI action names are
 * case-insensitive). Login, Challenge and Logoff belong to the session and are not here.
 */
const NONE_ACTIVE: ActionHandler = () => failure('No active conferences.');

export function actionTable(dialect: PbxDialect, alsoLoaded?: 'confbridge' | 'meetme'): ReadonlyMap<string, ActionHandler> {
  const shared: [string, ActionHandler][] = [
    ['Ping', ping], ['Hangup', hangup], ['Originate', originate], ['Redirect', redirect],
    ['SetVar', setVar], ['GetVar', getVar], ['Status', status], ['CoreShowChannels', coreShowChannels],
  ];
  const dialectActions: [string, ActionHandler][] = dialect === 'confbridge'
    ? [
      ['ConfbridgeListRooms', confbridgeListRooms], ['ConfbridgeList', confbridgeList],
      ['ConfbridgeMute', confbridgeMute], ['ConfbridgeUnmute', confbridgeUnmute], ['ConfbridgeKick', confbridgeKick],
      ['ConfbridgeLock', confbridgeLock], ['ConfbridgeUnlock', confbridgeUnlock],
      ['ConfbridgeStartRecord', confbridgeStartRecord], ['ConfbridgeStopRecord', confbridgeStopRecord],
      ['Command', commandAction(confbridgeCli)],
    ]
    : [
      ['MeetmeListRooms', meetmeListRooms], ['MeetmeList', meetmeList],
      ['MeetmeMute', meetmeMute], ['MeetmeUnmute', meetmeUnmute], ['Command', commandAction(meetmeCli)],
    ];
  const idle: [string, ActionHandler][] = alsoLoaded === 'confbridge' && dialect !== 'confbridge'
    ? [['ConfbridgeListRooms', NONE_ACTIVE], ['ConfbridgeList', NONE_ACTIVE]]
    : alsoLoaded === 'meetme' && dialect === 'confbridge' ? [['MeetmeListRooms', NONE_ACTIVE], ['MeetmeList', NONE_ACTIVE]] : [];
  return new Map([...shared, ...idle, ...dialectActions].map(([name, h]) => [name.toLowerCase(), h]));
}
