/**
 * How a turn ended, as the user is told and history records it: the note shown
 * after the answer, the stored status and the outcome adapters and metrics see.
 */
import type { Logger } from 'pino';
import type { AnswerStatus } from '../history/record.ts';
import { LockLostError } from '../store/lock.ts';
import { UpstreamError } from '../upstream/errors.ts';
import type { UserText } from '../user-text.ts';
import type { TurnOutcome } from './types.ts';

/** The reason a turn's controller is aborted by a user's Stop (any other abort is a shutdown). */
export class StoppedByUser extends Error {
  override name = 'StoppedByUser';
}

export interface TurnEnd {
  readonly note: string | undefined;
  readonly status: AnswerStatus;
  readonly outcome: TurnOutcome;
  /** The provider's error code, when the upstream failed. */
  readonly errorCode?: string | undefined;
}

/** What a stopped turn says: stopped by its user, interrupted by a shutdown, or by losing its conversation's lock. */
export function stopNote(signal: AbortSignal, texts: UserText): string {
  if (signal.reason instanceof StoppedByUser) return texts.stopped;
  return signal.reason instanceof LockLostError ? texts.interruptedLockLost : texts.interruptedByShutdown;
}

/** The stream ended normally: with `stop`, cut at the length limit, or stopped early for another reason. */
export function answeredEnd(finishReason: string, wroteText: boolean, texts: UserText): TurnEnd {
  const outcome: TurnOutcome = { type: 'answered', finishReason };
  if (finishReason === 'length') return { note: texts.cutAtLength, status: 'cut', outcome };
  if (finishReason !== 'stop') return { note: texts.finishedEarly(finishReason), status: 'cut', outcome };
  return { note: wroteText ? undefined : texts.emptyAnswer, status: 'complete', outcome };
}

/** The stream threw: a Stop or a shutdown, an upstream failure, or a bug (logged here, once). */
export function failedEnd(error: unknown, signal: AbortSignal, model: string, log: Logger, texts: UserText): TurnEnd {
  if (signal.aborted) {
    if (signal.reason instanceof LockLostError) {
      // Another instance may be answering in this conversation now: this answer stops where it is.
      log.warn({ err: signal.reason }, 'turn lock lost, answer interrupted');
      return { note: stopNote(signal, texts), status: 'interrupted', outcome: { type: 'failed', kind: 'lock-lost' } };
    }
    const status = signal.reason instanceof StoppedByUser ? 'stopped' : 'interrupted';
    return { note: stopNote(signal, texts), status, outcome: { type: 'stopped' } };
  }
  if (error instanceof UpstreamError) {
    log.warn({ err: error, kind: error.kind, status: error.status, code: error.code, traceId: error.traceId, model }, 'upstream failed');
    return {
      note: texts.upstreamError(error.kind, { model, traceId: error.traceId, detail: error.detail }),
      status: 'failed',
      outcome: { type: 'failed', kind: error.kind },
      errorCode: error.code,
    };
  }
  log.error({ err: error }, 'turn failed');
  return { note: texts.internalError, status: 'failed', outcome: { type: 'failed', kind: 'internal' } };
}
