/**
 * Upstream failures as typed values: what kind, and the facts an operator needs
 * (HTTP status, the provider's `code`, its `trace_id`).
 */
export type UpstreamErrorKind =
  | 'bad-request'
  | 'not-implemented'
  | 'unauthorized'
  | 'rate-limited'
  | 'unavailable'
  | 'broken-stream'
  | 'timeout';

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  /** The provider's error code, e.g. `api_error`, `invalid_token`. */
  readonly code: string | undefined;
  readonly traceId: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** The provider's own message, safe to show (e.g. which parameter it refused). */
  readonly detail: string | undefined;
  constructor(
    kind: UpstreamErrorKind,
    message: string,
    opts: { status?: number; code?: string; traceId?: string; retryAfterMs?: number; detail?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.kind = kind;
    this.status = opts.status;
    this.code = opts.code;
    this.traceId = opts.traceId;
    this.retryAfterMs = opts.retryAfterMs;
    this.detail = opts.detail;
  }

  /** 429, 5xx, network failures and timeouts may succeed on a retry; 400 and 401 never. */
  get retryable(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'unavailable' || this.kind === 'broken-stream' || this.kind === 'timeout';
  }
}
