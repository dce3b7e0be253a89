import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { expect, test } from 'vitest';
import { toPlatformError } from '../../../adapters/discord/platform-error.ts';

const request = { body: undefined, files: undefined, json: undefined };

function apiError(status: number, code: number): DiscordAPIError {
  return new DiscordAPIError({ code, message: `error ${code}` }, code, status, 'PATCH', 'https://discord.test/api/v10/x', request);
}

test('a rejected rate limit becomes rate-limited with the wait discord.js computed', () => {
  const err = new RateLimitError({
    timeToReset: 1200,
    limit: 5,
    method: 'PATCH',
    hash: 'h',
    url: 'u',
    route: '/channels/:id/messages/:id',
    majorParameter: '1',
    global: false,
    retryAfter: 1250,
    sublimitTimeout: 0,
    scope: 'user',
  });
  const mapped = toPlatformError(err);
  expect(mapped.kind).toBe('rate-limited');
  expect(mapped.retryAfterMs).toBe(1250);
});

test.each([
  [403, 50013, 'forbidden'],
  [403, 50001, 'forbidden'],
  [404, 10008, 'gone'],
  [404, 10003, 'gone'],
  [400, 50035, 'invalid'],
  [400, 50006, 'invalid'],
] as const)('Discord %i / %i means %s', (status, code, kind) => {
  const mapped = toPlatformError(apiError(status, code));
  expect(mapped.kind).toBe(kind);
  expect(mapped.code).toBe(String(code));
});

test('a 5xx after discord.js’s retries and a network failure are unavailable', () => {
  expect(toPlatformError(new HTTPError(502, 'Bad Gateway', 'POST', 'u', request)).kind).toBe('unavailable');
  expect(toPlatformError(new TypeError('fetch failed')).kind).toBe('unavailable');
});
