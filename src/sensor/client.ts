import type { SensorConfig } from '../config.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import {
  AesKeyMaterialError, aesSettingsFromBase64, decryptReply, encryptRequest, isEncryptedReply, type AesSettings,
} from './aes.ts';
import {
  InvalidSensorArgumentError, SensorNeedsAesError, SensorProtocolError, SensorTimeoutError, SensorUnreachableError,
  CallNotFoundError,
} from './errors.ts';
import { ListCallsFormatError, parseListCalls, type SensorCall } from './listcalls.ts';
import {
  UnexpectedReadAudioText, classifyListen, classifyReadAudio, isCommandNotFound, isNeedAes, shortText,
  type ReadAudioResult,
} from './replies.ts';
import { ExchangeError, exchange, type SensorAddress } from './transport.ts';

export type { ReadAudioResult } from './replies.ts';
export type { SensorCall } from './listcalls.ts';

export interface SensorClientDeps {
  readonly logger?: Logger;
  /** Position in `config.sensors`, so configuration errors can name `sensors[i]`. */
  readonly index?: number;
  /** Longest reply accepted (default 8 MiB): far above a busy `listcalls` or 10 s of buffered audio. */
  readonly maxReplyBytes?: number;
  /** Times each exchange out (default: the system clock). */
  readonly clock?: Clock;
  /** Told of every command's end (metrics, readiness): `failure` is undefined when a usable reply came. */
  readonly onExchange?: (exchange: SensorExchange) => void;
}

export interface SensorExchange {
  readonly sensor: string;
  /** The command's first word: `listcalls`, `readaudio`, `getversion` ... */
  readonly command: string;
  readonly durationMs: number;
  readonly failure: unknown;
}

export const DEFAULT_MAX_REPLY_BYTES = 8 * 1024 * 1024;

/** The sensor keeps listen ids in a 20-byte buffer: longer ids never get audio or crash it. */
const LISTEN_ID = /^[A-Za-z0-9_.-]{1,19}$/;
/** Hex (as listcalls shows it) or decimal, as the sensor accepts both. */
const CALLREF = /^(0x[0-9a-fA-F]{1,16}|\d{1,20})$/;

/**
 * Client for one VoIPmonitor sensor's manager API: one connection per command, optional AES.
 * @see ../shared/protocols/voipmonitor-manager.md (beside the repository)
 */
export class SensorClient {
  readonly id: string;
  private readonly address: SensorAddress;
  private readonly aes: AesSettings | undefined;
  private readonly timeoutMs: number;
  private readonly maxReplyBytes: number;
  private readonly index: number | undefined;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly onExchange: ((exchange: SensorExchange) => void) | undefined;

  constructor(config: SensorConfig, deps: SensorClientDeps = {}) {
    this.id = config.id;
    this.index = deps.index;
    this.timeoutMs = config.timeoutMs;
    this.maxReplyBytes = deps.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.clock = deps.clock ?? systemClock;
    this.onExchange = deps.onExchange;
    this.log = (deps.logger ?? silentLogger()).child({ component: 'sensor', sensor: config.id });
    this.address = config.socketPath !== undefined ? { path: config.socketPath } : { host: config.host, port: config.port };
    // The local managersocket is never encrypted, whatever the key.
    if (config.aesKey !== undefined && config.aesIv !== undefined && config.socketPath === undefined) {
      try {
        this.aes = aesSettingsFromBase64(config.aesCipher as AesSettings['cipher'], config.aesKey, config.aesIv);
      } catch (err) {
        // The key-length detail is for the admin hint and the log; users get only "misconfigured".
        if (err instanceof AesKeyMaterialError) throw new SensorNeedsAesError(this.id, this.index, `has unusable AES settings (${err.message})`, err);
        throw err;
      }
    }
  }

  /** The sensor's version string; works even when the sensor demands AES, so it makes a good probe. */
  async getVersion(): Promise<string> {
    const reply = await this.command('getversion');
    const text = shortText(reply);
    if (text === undefined || isCommandNotFound(reply)) throw this.unexpected('getversion', reply);
    return text.trim();
  }

  async listCalls(): Promise<SensorCall[]> {
    const reply = await this.command('listcalls');
    try {
      return parseListCalls(reply.toString('utf8')).calls;
    } catch (err) {
      if (err instanceof ListCallsFormatError) throw this.unexpected('listcalls', reply);
      throw err;
    }
  }

  /** Starts (or joins) the sensor's listening worker for the call. `call already listening` counts as started. */
  async listen(callref: string, listenId: string): Promise<void> {
    const reply = await this.command(`listen ${checkCallref(callref)} ${checkListenId(listenId)}`);
    const result = classifyListen(reply);
    if (result === 'started' || result === 'already_listening') return;
    if (result === 'call_not_found') throw new CallNotFoundError('That call has ended or is not on the sensor any more.', `sensor ${this.id}: listen ${callref}: call not found`);
    if (result === 'liveaudio_disabled') {
      throw new SensorProtocolError(this.id, `Live listening is disabled on sensor ${this.id}.`, 'liveaudio is disabled', { permanent: true });
    }
    throw this.unexpected('listen', reply);
  }

  /** Everything the worker buffered for `listenId` since the previous read, or why there is none. */
  async readAudio(callref: string, listenId: string): Promise<ReadAudioResult> {
    const reply = await this.command(`readaudio ${checkCallref(callref)} ${checkListenId(listenId)}`);
    try {
      return classifyReadAudio(reply);
    } catch (err) {
      if (err instanceof UnexpectedReadAudioText) throw this.unexpected('readaudio', reply);
      throw err;
    }
  }

  /** Ends this listener; the sensor stops the worker when its last listener leaves. Always a 0-byte reply. */
  async listenStop(callref: string, listenId: string): Promise<void> {
    const reply = await this.command(`listen_stop ${checkCallref(callref)} ${checkListenId(listenId)}`);
    if (reply.length > 0) throw this.unexpected('listen_stop', reply);
  }

  private async command(command: string): Promise<Buffer> {
    const started = this.clock.now();
    const report = (failure: unknown): void => this.onExchange?.({ sensor: this.id, command: command.split(' ')[0] ?? '', durationMs: this.clock.now() - started, failure });
    try {
      const reply = await this.send(command);
      report(undefined);
      return reply;
    } catch (err) {
      report(err);
      throw err;
    }
  }

  private async send(command: string): Promise<Buffer> {
    const request = this.aes ? encryptRequest(command, this.aes) : Buffer.from(`${command}\r\n\r\n`);
    let reply: Buffer;
    try {
      reply = await exchange(this.address, request, this.timeoutMs, this.maxReplyBytes, this.clock);
    } catch (err) {
      if (err instanceof ExchangeError) {
        if (err.failure.kind === 'timeout') throw new SensorTimeoutError(this.id, this.timeoutMs);
        if (err.failure.kind === 'too_large') {
          throw new SensorProtocolError(this.id, `Sensor ${this.id} sent a reply that is too large.`, `${command.split(' ')[0] ?? ''}: ${err.message}`);
        }
        throw new SensorUnreachableError(this.id, err.failure.detail, err.failure.cause);
      }
      throw err;
    }
    if (isNeedAes(reply)) throw new SensorNeedsAesError(this.id, this.index, 'demands encryption (it answered "need aes!")');
    if (!this.aes) return reply;
    if (!isEncryptedReply(reply)) {
      // Text replies such as `need aes!` are handled above; an empty reply (listen_stop) stays empty.
      if (reply.length === 0) return reply;
      throw new SensorNeedsAesError(this.id, this.index, 'answered an encrypted command in clear text; its AES settings differ from ours');
    }
    try {
      return decryptReply(reply, this.aes);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot decrypt sensor reply');
      throw new SensorNeedsAesError(this.id, this.index, 'sent a reply that our AES key and IV cannot decrypt');
    }
  }

  private unexpected(command: string, reply: Buffer): SensorProtocolError {
    const shown = shortText(reply) ?? `${reply.length} bytes`;
    return new SensorProtocolError(this.id, `Sensor ${this.id} gave an unexpected answer.`, `${command}: unexpected reply ${JSON.stringify(shown)}`);
  }
}

function checkCallref(callref: string): string {
  if (!CALLREF.test(callref)) throw new InvalidSensorArgumentError('call reference', callref);
  return callref;
}

function checkListenId(listenId: string): string {
  if (!LISTEN_ID.test(listenId)) throw new InvalidSensorArgumentError('listen id', listenId);
  return listenId;
}
