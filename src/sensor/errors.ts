import { BotError } from '../errors.ts';

/**
 * Failures talking to a VoIPmonitor sensor's manager port. `userMessage` names the sensor but never
 * its address, key, raw reply or config keys; `message` (logs only) carries the detail, and
 * `adminHint` the config keys an admin must set.
 */

/**
 * Where to set a sensor's AES settings, for messages that ask an operator to fix them. The
 * SENSOR_AES_* env vars set only the first sensor, so later ones are pointed at the config file.
 */
export function aesConfigHint(sensorId: string, index: number | undefined): string {
  const values = "the sensor's manager_aes_key / manager_aes_iv (base64)";
  if (index === 0) return `set sensors[0].aesKey and .aesIv (env SENSOR_AES_KEY / SENSOR_AES_IV) to ${values}`;
  const fields = index === undefined ? `aesKey and aesIv of the sensors[] entry with id "${sensorId}"` : `sensors[${index}].aesKey and .aesIv`;
  return `set ${fields} in the config file (MEETME_CONFIG) to ${values}; env vars set only the first sensor`;
}

export class SensorUnreachableError extends BotError {
  readonly code = 'sensor_unreachable' as const;
  constructor(readonly sensor: string, detail: string, cause?: unknown) {
    super(`Sensor ${sensor} is unreachable.`, { detail: `sensor ${sensor}: ${detail}`, cause });
  }
}

export class SensorTimeoutError extends BotError {
  readonly code = 'sensor_timeout' as const;
  constructor(readonly sensor: string, timeoutMs: number) {
    super(`Sensor ${sensor} did not answer in time.`, { detail: `sensor ${sensor}: no complete reply within ${timeoutMs} ms` });
  }
}

/**
 * The sensor demands encryption (`need aes!`), or its encrypted reply cannot be decrypted with our key.
 * Anyone may run `calls`, so the problem and the keys to set go to the admin hint, not the user message.
 */
export class SensorNeedsAesError extends BotError {
  readonly code = 'sensor_needs_aes' as const;
  constructor(readonly sensor: string, index: number | undefined, problem: string, cause?: unknown) {
    const hint = `Sensor ${sensor} ${problem}: ${aesConfigHint(sensor, index)}.`;
    super(`Sensor ${sensor} is misconfigured; tell the bot's admin.`, { detail: hint, adminHint: hint, cause });
  }
}

/** A reply the protocol does not allow here, or a documented refusal such as `liveaudio is disabled`. */
export class SensorProtocolError extends BotError {
  readonly code = 'sensor_error' as const;
  /** True for refusals that repeating the command cannot change (the sensor's configuration says no). */
  readonly permanent: boolean;
  constructor(readonly sensor: string, userMessage: string, detail: string, options: { readonly permanent?: boolean } = {}) {
    super(userMessage, { detail: `sensor ${sensor}: ${detail}` });
    this.permanent = options.permanent ?? false;
  }
}

export class SensorNotFoundError extends BotError {
  readonly code = 'sensor_not_found' as const;
  constructor(readonly sensor: string) {
    super(`No sensor named ${sensor} is configured.`);
  }
}

export class CallNotFoundError extends BotError {
  readonly code = 'call_not_found' as const;
  constructor(userMessage = 'That call is not active on any sensor.', detail?: string) {
    super(userMessage, detail === undefined ? {} : { detail });
  }
}

/** A call reference or listen id that must not reach the sensor's command line. */
export class InvalidSensorArgumentError extends BotError {
  readonly code = 'bad_sensor_argument' as const;
  constructor(what: string, value: string) {
    super(`That is not a valid ${what}.`, { detail: `rejected ${what} ${JSON.stringify(value.slice(0, 40))}` });
  }
}

/**
 * Failures that retrying cannot fix: they need an operator to change the bot's or the sensor's
 * configuration, so a listening session gives up on them instead of polling a refusal forever.
 */
export function isPermanentSensorError(err: unknown): boolean {
  if (err instanceof SensorNeedsAesError || err instanceof InvalidSensorArgumentError) return true;
  return err instanceof SensorProtocolError && err.permanent;
}

/**
 * What a listener (anyone holding a link) may see: not even the sensor's name when it is misconfigured.
 * Operator hints stay in the logs and in the replies the core gives admins.
 */
export function listenerSafeMessage(err: unknown): string {
  if (err instanceof SensorNeedsAesError) return 'The sensor is misconfigured; tell the bot\'s admin.';
  return err instanceof BotError ? err.userMessage : 'The sensor failed.';
}
