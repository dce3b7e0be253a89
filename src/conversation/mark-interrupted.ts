/**
 * Marks one answer a crash cut off: its last message gets the "interrupted" marker
 * (or keeps its text and the marker follows in a new message when both would not
 * fit), in its final state. Every write goes through the `WriteScheduler`, so a
 * start-up that marks dozens of answers in one Slack workspace or Discord channel
 * spends the same budget as live answers do, never around it. The writes ask for
 * `live` priority: they are not urgent, and the first words and final edits of
 * answers streaming meanwhile go first.
 */
import { PlatformError } from '../errors/platform-error.ts';
import type { WriteJob, WriteScheduler } from '../render/scheduler.ts';
import type { RateScope, Surface } from '../surface.ts';

/** `marked`: the message says it was interrupted; `gone`: the message or its channel no longer exists; `failed`: try again at the next start. */
export type MarkResult = 'marked' | 'gone' | 'failed';

export interface MarkOptions {
  /** 5xx and network failures: retried this many times, after 1, 2, 4, … s (default 5). */
  readonly retries?: number;
  readonly retryBaseMs?: number;
}

/** The newest message of a cut answer and the text it showed. */
export interface CutMessage {
  readonly id: string;
  readonly text: string;
}

export async function markInterrupted(
  scheduler: WriteScheduler,
  surface: Surface,
  message: CutMessage,
  marker: string,
  signal: AbortSignal,
  opts: MarkOptions = {},
): Promise<MarkResult> {
  const note = surface.format(marker);
  const fits = message.text.length + note.length + 2 <= surface.maxMessageLength;
  const edited = await write(scheduler, surface.scopes.edit, () => surface.edit({ id: message.id }, fits ? `${message.text}\n\n${note}` : message.text, 'final', signal), signal, opts);
  if (edited !== 'marked' || fits) return edited;
  return write(scheduler, surface.scopes.post, () => surface.post(note, 'final', signal), signal, opts);
}

/** One write as a scheduler job: a 429 is the scheduler's to wait out and retry, a 5xx is retried here. */
function write(scheduler: WriteScheduler, scope: RateScope, run: () => Promise<unknown>, signal: AbortSignal, opts: MarkOptions): Promise<MarkResult> {
  const retries = opts.retries ?? 5;
  const retryBaseMs = opts.retryBaseMs ?? 1000;
  return new Promise<MarkResult>((resolve) => {
    let failures = 0;
    let retryTimer: NodeJS.Timeout | undefined;
    const settle = (result: MarkResult) => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(retryTimer);
      resolve(result);
    };
    const onAbort = () => {
      scheduler.cancel(job);
      settle('failed');
    };
    const job: WriteJob = {
      priority: 'live',
      run: async () => {
        if (signal.aborted) return false;
        try {
          await run();
          settle('marked');
        } catch (error) {
          const kind = error instanceof PlatformError ? error.kind : 'unavailable';
          // The scheduler pauses the whole scope for Retry-After and runs this job again.
          if (kind === 'rate-limited') throw error;
          if (kind === 'gone') settle('gone');
          else if (kind !== 'unavailable' || ++failures > retries) settle('failed');
          else {
            retryTimer = setTimeout(() => scheduler.request(scope, job), retryBaseMs * 2 ** (failures - 1));
            retryTimer.unref();
          }
        }
        // Even a failed write may have counted against the platform's budget.
        return true;
      },
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return onAbort();
    scheduler.request(scope, job);
  });
}
