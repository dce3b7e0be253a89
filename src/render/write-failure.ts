/**
 * What the renderer does about a write the platform did not take. A rate limit
 * is not among them: the scheduler pauses the scope and runs the write again.
 */
import { PlatformError, type PlatformErrorKind } from '../errors/platform-error.ts';

/** 5xx and network failures: retried after 1, 2 and 4 s, then the message is given up. */
const unavailableRetries = 3;
const unavailableBackoffMs = 1000;

export type FailureAction =
  /** The message or channel is gone or closed to the bot, or the platform stayed down: write nothing more. */
  | { readonly type: 'stop'; readonly kind: PlatformErrorKind; readonly msg: string; readonly level: 'warn' | 'error' }
  /** The platform refused this text: never send it again. */
  | { readonly type: 'refuse' }
  /** Try the latest frame again after `afterMs`. */
  | { readonly type: 'retry'; readonly afterMs: number; readonly level: 'warn' | 'error' };

/** What to do after a failed write, the `failures`-th failure in a row that was worth retrying. */
export function failureAction(err: unknown, failures: number): FailureAction {
  const kind = err instanceof PlatformError ? err.kind : 'unavailable';
  if (kind === 'forbidden' || kind === 'gone') return { type: 'stop', kind, msg: 'platform refused the message, not writing to it any more', level: 'warn' };
  if (kind === 'invalid') return { type: 'refuse' };
  if (failures > unavailableRetries) return { type: 'stop', kind: 'unavailable', msg: 'platform unavailable, giving up on the message', level: 'error' };
  // Retry the latest frame (not the failed one) after a growing pause.
  return { type: 'retry', afterMs: unavailableBackoffMs * 2 ** (failures - 1), level: err instanceof PlatformError ? 'warn' : 'error' };
}
