/**
 * Discord's per-route rate limits as the fake enforces them: a fixed window of
 * `limit` requests per `windowMs`, per bucket (route + major parameter), with the
 * real headers (X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket) and real
 * 429 answers (Retry-After, X-RateLimit-Scope, body {message, retry_after, global}).
 * Sources: discord-api-docs developers/topics/rate-limits.mdx; POST and PATCH
 * messages are each 5 per 5 s per channel with separate counters (discord-api-docs#1442, #2761).
 */

export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly headers: Record<string, string>;
  /** Only when refused: the 429 body. */
  readonly body?: { message: string; retry_after: number; global: boolean };
}

interface Window {
  count: number;
  resetAt: number;
}

export class RateLimiter {
  readonly #now: () => number;
  #windows = new Map<string, Window>();
  limit: number;
  windowMs: number;

  constructor(opts: { now: () => number; limit: number; windowMs: number }) {
    this.#now = opts.now;
    this.limit = opts.limit;
    this.windowMs = opts.windowMs;
  }

  /** Counts one request in `bucket` (e.g. `patch:<channelId>`) and answers with its headers. */
  take(bucket: string, hash: string): RateLimitVerdict {
    const now = this.#now();
    let window = this.#windows.get(bucket);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.#windows.set(bucket, window);
    }
    const resetAfterS = Math.max(0, window.resetAt - now) / 1000;
    if (window.count >= this.limit) {
      return {
        allowed: false,
        headers: { ...limitHeaders(this.limit, 0, window.resetAt, resetAfterS, hash), ...tooManyHeaders(resetAfterS) },
        body: { message: 'You are being rate limited.', retry_after: round3(resetAfterS), global: false },
      };
    }
    window.count += 1;
    return { allowed: true, headers: limitHeaders(this.limit, this.limit - window.count, window.resetAt, resetAfterS, hash) };
  }

  /** A 429 forced by a test, shaped exactly like a real one for the same bucket. */
  forced(hash: string, retryAfterMs: number): RateLimitVerdict {
    const resetAfterS = retryAfterMs / 1000;
    return {
      allowed: false,
      headers: {
        ...limitHeaders(this.limit, 0, this.#now() + retryAfterMs, resetAfterS, hash),
        ...tooManyHeaders(resetAfterS),
      },
      body: { message: 'You are being rate limited.', retry_after: round3(resetAfterS), global: false },
    };
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

function limitHeaders(limit: number, remaining: number, resetAtMs: number, resetAfterS: number, hash: string): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': (resetAtMs / 1000).toFixed(3),
    'x-ratelimit-reset-after': resetAfterS.toFixed(3),
    'x-ratelimit-bucket': hash,
  };
}

function tooManyHeaders(retryAfterS: number): Record<string, string> {
  // Discord sends Retry-After in seconds; decimals keep short test windows short (discord.js reads Number(header)).
  return { 'retry-after': round3(retryAfterS).toString(), 'x-ratelimit-scope': 'user' };
}
