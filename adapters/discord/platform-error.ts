/**
 * discord.js failures as the core's PlatformError, in one place:
 * - RateLimitError (from `rejectOnRateLimit`) → `rate-limited`, with the wait;
 * - DiscordAPIError: 50013 Missing Permissions, 50001 Missing Access → `forbidden`;
 *   10008 Unknown Message, 10003 Unknown Channel → `gone`; 50035 Invalid Form Body,
 *   50006 Empty Message → `invalid`; other 403/404/4xx likewise by status;
 * - HTTPError (5xx after discord.js's own retries) and network failures → `unavailable`.
 * Codes: discord-api-docs developers/topics/opcodes-and-status-codes.mdx.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { PlatformError } from '../../src/errors/platform-error.ts';

const FORBIDDEN = new Set([50013, 50001]);
const GONE = new Set([10008, 10003]);
const INVALID = new Set([50035, 50006]);

export function toPlatformError(err: unknown): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof RateLimitError) {
    const retryAfterMs = Math.max(err.retryAfter, err.timeToReset, err.sublimitTimeout, 0);
    return new PlatformError('rate-limited', `discord rate limit on ${err.method} ${err.route}`, {
      retryAfterMs,
      code: '429',
      cause: err,
    });
  }
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' ? err.code : Number.NaN;
    const opts = { code: String(err.code), cause: err };
    if (FORBIDDEN.has(code) || err.status === 403) return new PlatformError('forbidden', err.message, opts);
    if (GONE.has(code) || err.status === 404) return new PlatformError('gone', err.message, opts);
    if (INVALID.has(code) || (err.status >= 400 && err.status < 500)) return new PlatformError('invalid', err.message, opts);
    return new PlatformError('unavailable', err.message, opts);
  }
  if (err instanceof HTTPError) {
    return new PlatformError('unavailable', `discord answered ${err.status}`, { code: String(err.status), cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PlatformError('unavailable', `discord request failed: ${message}`, { cause: err });
}

/** True for a DiscordAPIError saying the bot lacks a permission (50013) or access (50001). */
export function isMissingPermission(err: unknown): boolean {
  return err instanceof DiscordAPIError && (err.code === 50013 || err.code === 50001);
}
