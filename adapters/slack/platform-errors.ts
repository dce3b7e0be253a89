/**
 * Slack Web API failures as the renderer needs to act on them. The WebClient is
 * built with `rejectRateLimitedCalls: true` and no retries, so a 429 reaches us
 * as `WebAPIRateLimitedError` at once instead of pausing every call of the client
 * (@slack/web-api `WebClient.makeRequest`), and the core's scheduler decides when
 * to write again.
 */
import { webApi } from '@slack/bolt';
import { PlatformError, type PlatformErrorKind } from '../../src/errors/platform-error.ts';

/** Slack `error` codes, by what the renderer should do about them. */
const KIND_BY_CODE: Record<string, PlatformErrorKind> = {
  ratelimited: 'rate-limited',
  rate_limited: 'rate-limited',
  msg_too_long: 'invalid',
  msg_blocks_too_long: 'invalid',
  invalid_blocks: 'invalid',
  invalid_blocks_format: 'invalid',
  no_text: 'invalid',
  invalid_arguments: 'invalid',
  cant_update_message: 'forbidden',
  edit_window_closed: 'forbidden',
  channel_not_found: 'gone',
  message_not_found: 'gone',
  is_archived: 'gone',
  thread_not_found: 'gone',
  not_in_channel: 'forbidden',
  missing_scope: 'forbidden',
  restricted_action: 'forbidden',
  restricted_action_thread_only: 'forbidden',
  not_authed: 'forbidden',
  invalid_auth: 'forbidden',
  account_inactive: 'forbidden',
  token_revoked: 'forbidden',
  ekm_access_denied: 'forbidden',
  // Native streaming: Slack ended the stream (about 5 minutes in), or the user stopped it in Slack.
  message_not_in_streaming_state: 'gone',
  stopped_by_user: 'gone',
  // chat.update on a message that is still streaming.
  streaming_state_conflict: 'invalid',
  internal_error: 'unavailable',
  fatal_error: 'unavailable',
  service_unavailable: 'unavailable',
  request_timeout: 'unavailable',
};

/** Turns whatever a WebClient call threw into a `PlatformError`. */
export function toPlatformError(err: unknown, method: string): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof webApi.WebAPIRateLimitedError) {
    return new PlatformError('rate-limited', `${method}: rate limited`, {
      retryAfterMs: err.retryAfter * 1000,
      code: 'ratelimited',
      cause: err,
    });
  }
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = err.data.error;
    const kind = KIND_BY_CODE[code] ?? 'invalid';
    const data = err.data as unknown as Record<string, unknown>;
    const needed = typeof data.needed === 'string' ? ` (needs ${data.needed})` : '';
    return new PlatformError(kind, `${method}: ${code}${needed}`, { code, cause: err });
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    const kind: PlatformErrorKind = err.statusCode >= 500 ? 'unavailable' : 'invalid';
    return new PlatformError(kind, `${method}: HTTP ${err.statusCode}`, { code: String(err.statusCode), cause: err });
  }
  if (err instanceof webApi.WebAPIRequestError) {
    return new PlatformError('unavailable', `${method}: ${err.original.message}`, { code: 'request_error', cause: err });
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return new PlatformError('unavailable', `${method}: aborted`, { code: 'aborted', cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PlatformError('unavailable', `${method}: ${message}`, { cause: err });
}
