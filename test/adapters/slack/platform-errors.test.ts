import { webApi } from '@slack/bolt';
import { expect, test } from 'vitest';
import { toPlatformError } from '../../../adapters/slack/platform-errors.ts';

const platform = (error: string) => new webApi.WebAPIPlatformError({ ok: false, error });

test.each([
  ['msg_too_long', 'invalid'],
  ['channel_not_found', 'gone'],
  ['message_not_found', 'gone'],
  ['not_in_channel', 'forbidden'],
  ['missing_scope', 'forbidden'],
  ['ratelimited', 'rate-limited'],
  ['internal_error', 'unavailable'],
])('Slack error %s is %s', (code, kind) => {
  const error = toPlatformError(platform(code), 'chat.update');
  expect(error.kind).toBe(kind);
  expect(error.code).toBe(code);
});

test('a 429 carries its Retry-After in milliseconds', () => {
  const error = toPlatformError(new webApi.WebAPIRateLimitedError(7), 'chat.update');
  expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7000 });
});

test('HTTP 5xx and network failures are worth retrying', () => {
  expect(toPlatformError(new webApi.WebAPIHTTPError(503, 'Service Unavailable', {}), 'chat.update').kind).toBe('unavailable');
  expect(toPlatformError(new webApi.WebAPIRequestError(new Error('ECONNRESET')), 'chat.update').kind).toBe('unavailable');
});
