import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../adapters/slack/retry.ts';

/** Which failures of a Web API call may be resent, shaped as @slack/web-api raises them. */

const rateLimited = (sec: number) => ({ code: 'slack_webapi_rate_limited_error', retryAfter: sec });
const http = (status: number) => ({ code: 'slack_webapi_http_error', statusCode: status });
const platform = (error: string) => ({ code: 'slack_webapi_platform_error', data: { ok: false, error } });
const network = (cause: string) => ({ code: 'slack_webapi_request_error', original: { code: cause } });

describe('Slack Web API retry decisions', () => {
  it('waits out Retry-After, for any call, up to the cap', () => {
    expect(retryDelayMs(rateLimited(3), 0, false, DEFAULT_RETRY_POLICY)).toBe(3000);
    expect(retryDelayMs(rateLimited(120), 0, true, DEFAULT_RETRY_POLICY)).toBeUndefined();
  });

  it('resends a post only when Slack cannot have acted on it', () => {
    expect(retryDelayMs(http(503), 0, false, DEFAULT_RETRY_POLICY)).toBe(500);
    expect(retryDelayMs(network('ECONNREFUSED'), 0, false, DEFAULT_RETRY_POLICY)).toBe(500);
    expect(retryDelayMs(http(500), 0, false, DEFAULT_RETRY_POLICY)).toBeUndefined();
    expect(retryDelayMs(platform('internal_error'), 0, false, DEFAULT_RETRY_POLICY)).toBeUndefined();
    expect(retryDelayMs(network('ECONNABORTED'), 0, false, DEFAULT_RETRY_POLICY)).toBeUndefined();
  });

  it('resends a repeatable call after any 5xx, Slack-side error or network failure', () => {
    expect(retryDelayMs(http(500), 0, true, DEFAULT_RETRY_POLICY)).toBe(500);
    expect(retryDelayMs(platform('fatal_error'), 0, true, DEFAULT_RETRY_POLICY)).toBe(500);
    expect(retryDelayMs(network('ECONNABORTED'), 0, true, DEFAULT_RETRY_POLICY)).toBe(500);
  });

  it('never resends a refusal', () => {
    for (const error of ['channel_not_found', 'invalid_blocks', 'invalid_auth', 'token_revoked']) {
      expect(retryDelayMs(platform(error), 0, true, DEFAULT_RETRY_POLICY)).toBeUndefined();
    }
    expect(retryDelayMs(http(400), 0, true, DEFAULT_RETRY_POLICY)).toBeUndefined();
    expect(retryDelayMs(new Error('bug'), 0, true, DEFAULT_RETRY_POLICY)).toBeUndefined();
  });

  it('doubles the backoff up to its cap, and stops after the last try', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((attempt) => retryDelayMs(http(503), attempt, true, { ...DEFAULT_RETRY_POLICY, attempts: 7 }));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(retryDelayMs(http(503), DEFAULT_RETRY_POLICY.attempts - 1, true, DEFAULT_RETRY_POLICY)).toBeUndefined();
  });
});
