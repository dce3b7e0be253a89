/** What the bench records of each streamed answer, and the summary of a run of them. */
import type { StreamLog } from '../test/fakes/paced-upstream.ts';
import { mean, round, spread, type Spread } from './stats.ts';

/** One answer as a user saw it; times are epoch ms (performance.timeOrigin + now()). */
export interface StreamRecord {
  /** Unique in the whole bench run: the question carries it as `[[tag]]`, and the provider answers from it. */
  readonly tag: string;
  /** What the message must finally show (on Slack it depends on the path the answer took, so it may be set late). */
  expected: string;
  readonly mentionAt: number;
  /** The first message of the answer appeared (usually the thinking status). */
  firstMessageAt?: number;
  /** The first characters of the answer itself were visible. */
  firstTextAt?: number;
  /** The message reached its final state (controls gone): when, and what it then said. */
  finalAt?: number;
  finalText?: string;
  /** Successful writes after the first post. */
  edits: number;
}

export interface RunSummary {
  readonly streams: number;
  readonly completed: number;
  readonly mentionToFirstMessageMs: Spread;
  readonly mentionToFirstTextMs: Spread;
  /** From the provider's first answer token to the first write showing answer text landing. */
  readonly firstTokenToFirstTextMs: Spread;
  readonly upstreamDoneToFinalMs: Spread;
  readonly editsPerStream: { readonly mean: number | undefined; readonly max: number | undefined };
  readonly rateLimited: number;
  /** Percent of streams whose final text equals the upstream's answer. */
  readonly finalTextCorrectPct: number;
  readonly wallMs: number;
}

export const epochNow = () => performance.timeOrigin + performance.now();

export function summarize(records: readonly StreamRecord[], log: readonly StreamLog[], rateLimited: number, wallMs: number): RunSummary {
  const logOf = (r: StreamRecord) => log.find((l) => l.question.includes(`[[${r.tag}]]`));
  const done = (r: StreamRecord) => logOf(r)?.doneAt;
  const firstTokenLags = records.flatMap((r) => {
    const at = logOf(r)?.firstAnswerAt;
    return at === undefined || r.firstTextAt === undefined ? [] : [Math.max(0, r.firstTextAt - at)];
  });
  const finished = records.filter((r) => r.finalAt !== undefined);
  const lags = finished.flatMap((r) => {
    const at = done(r);
    return at === undefined || r.finalAt === undefined ? [] : [Math.max(0, r.finalAt - at)];
  });
  return {
    streams: records.length,
    completed: finished.length,
    mentionToFirstMessageMs: spread(records.flatMap((r) => (r.firstMessageAt === undefined ? [] : [r.firstMessageAt - r.mentionAt]))),
    mentionToFirstTextMs: spread(records.flatMap((r) => (r.firstTextAt === undefined ? [] : [r.firstTextAt - r.mentionAt]))),
    firstTokenToFirstTextMs: spread(firstTokenLags),
    upstreamDoneToFinalMs: spread(lags),
    editsPerStream: { mean: round(mean(records.map((r) => r.edits))), max: Math.max(...records.map((r) => r.edits)) },
    rateLimited,
    finalTextCorrectPct: records.length === 0 ? 0 : (round((100 * records.filter((r) => r.finalText === r.expected).length) / records.length) ?? 0),
    wallMs: Math.round(wallMs),
  };
}

/** Rejects after `ms` unless `promise` settles first; the timer never holds the process open. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The question a bench stream asks: its tag, which the provider answers from, then the words. */
export const questionFor = (tag: string): string => `[[${tag}]] how do rate limits shape a streamed answer?`;
