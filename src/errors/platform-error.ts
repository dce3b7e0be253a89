/**
 * What can go wrong writing to a platform, as the renderer needs to act on it:
 * - `rate-limited`: wait `retryAfterMs`, then write the latest frame again;
 * - `unavailable`: a 5xx or network failure, worth retrying the latest frame;
 * - `forbidden`: a missing permission: stop writing to this message or channel;
 * - `gone`: the message or channel no longer exists: stop writing to it;
 * - `invalid`: the platform refused the content; retrying the same text will not help.
 */
export type PlatformErrorKind = 'rate-limited' | 'unavailable' | 'forbidden' | 'gone' | 'invalid';

export class PlatformError extends Error {
  override name = 'PlatformError';
  readonly kind: PlatformErrorKind;
  readonly retryAfterMs: number | undefined;
  /** The platform's own error code or status, for logs (e.g. Discord 50013, Slack `not_in_channel`). */
  readonly code: string | undefined;
  constructor(
    kind: PlatformErrorKind,
    message: string,
    opts: { retryAfterMs?: number; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.kind = kind;
    this.retryAfterMs = opts.retryAfterMs;
    this.code = opts.code;
  }
}
