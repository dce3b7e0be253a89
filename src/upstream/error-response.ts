/**
 * Turns a failed HTTP response into an UpstreamError, whatever its body: the
 * provider's JSON, a proxy's HTML page or nothing at all.
 */
import { UpstreamError, type UpstreamErrorKind } from './errors.ts';
import { errorBodySchema } from './wire.ts';

/** `Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function kindFor(status: number, code: string | undefined): UpstreamErrorKind {
  if (status === 401 || status === 403 || code === 'invalid_token') return 'unauthorized';
  if (status === 429 || code === 'too_many_requests') return 'rate-limited';
  if (status >= 500) return 'unavailable';
  if (code === 'api_not_implemented') return 'not-implemented';
  return 'bad-request';
}

export async function errorFromResponse(response: Response, now: number): Promise<UpstreamError> {
  const raw = await response.text().catch(() => '');
  let code: string | undefined;
  let message: string | undefined;
  let traceId: string | undefined;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(raw));
    if (parsed.success) {
      const err = parsed.data.error;
      code = typeof err === 'object' && err?.code != null ? String(err.code) : undefined;
      message = (typeof err === 'string' ? err : err?.message) ?? parsed.data.message ?? undefined;
      traceId = parsed.data.trace_id ?? undefined;
    }
  } catch {
    // Not JSON (an HTML page from a proxy, an empty body): the status alone decides.
  }
  const kind = kindFor(response.status, code);
  const bodyHint = raw.trim() === '' ? 'empty body' : message ?? 'non-JSON body';
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  return new UpstreamError(kind, `upstream answered HTTP ${response.status}: ${bodyHint}`, {
    status: response.status,
    code,
    traceId,
    detail: message,
    retryAfterMs,
  });
}
