/** The bench's printed report: the tables, the naive bots beside ours, and the goals met or not. */
import type { LoadSummary } from './load-run.ts';
import type { RendererSummary } from './renderer-run.ts';
import { fmt, ms, round, table } from './stats.ts';
import type { StoreResult } from './store-run.ts';
import type { RunSummary } from './streams.ts';

export type Outcome<T> = T | { error: string };

export const failed = (r: unknown): r is { error: string } => typeof r === 'object' && r !== null && 'error' in r;

export const STREAM_HEADER = [
  'run',
  'done',
  'mention → first message p50/p95',
  'mention → first answer text p50/p95',
  'first answer token → shown p50/p95',
  'upstream done → final edit p50/p95',
  'edits/stream mean/max',
  '429s',
  'final = upstream',
];

export function streamRow(name: string, r: Outcome<RunSummary>): string[] {
  if (failed(r)) return [name, `failed: ${r.error}`, '', '', '', '', '', '', ''];
  return [
    name,
    `${r.completed}/${r.streams}`,
    ms(r.mentionToFirstMessageMs),
    ms(r.mentionToFirstTextMs),
    ms(r.firstTokenToFirstTextMs),
    ms(r.upstreamDoneToFinalMs),
    `${fmt(r.editsPerStream.mean, 1)} / ${fmt(r.editsPerStream.max)}`,
    String(r.rateLimited),
    `${fmt(r.finalTextCorrectPct)}%`,
  ];
}

export interface Versus {
  readonly rateLimited: { readonly naive: number; readonly ours: number };
  readonly upstreamDoneToFinalP50Ratio: number | undefined;
  readonly upstreamDoneToFinalP95Ratio: number | undefined;
  readonly mentionToFirstTextP50Ratio: number | undefined;
}

export function comparison(ours: Outcome<RunSummary>, naive: Outcome<RunSummary>): Versus | undefined {
  if (failed(ours) || failed(naive)) return undefined;
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : round(a / b, 1));
  return {
    rateLimited: { naive: naive.rateLimited, ours: ours.rateLimited },
    upstreamDoneToFinalP50Ratio: ratio(naive.upstreamDoneToFinalMs.p50, ours.upstreamDoneToFinalMs.p50),
    upstreamDoneToFinalP95Ratio: ratio(naive.upstreamDoneToFinalMs.p95, ours.upstreamDoneToFinalMs.p95),
    mentionToFirstTextP50Ratio: ratio(naive.mentionToFirstTextMs.p50, ours.mentionToFirstTextMs.p50),
  };
}

export function versusLine(what: string, vs: Versus | undefined): string | undefined {
  if (!vs) return undefined;
  return (
    `Naive vs ours, ${what}: 429s ${vs.rateLimited.naive} vs ${vs.rateLimited.ours}; upstream done → final edit ` +
    `${fmt(vs.upstreamDoneToFinalP50Ratio, 1)}× (p50) and ${fmt(vs.upstreamDoneToFinalP95Ratio, 1)}× (p95) ours; ` +
    `mention → first answer text ${fmt(vs.mentionToFirstTextP50Ratio, 1)}× ours (p50).`
  );
}

export function loadRows(r: Outcome<LoadSummary>): string[][] {
  if (failed(r)) return [['failed', r.error]];
  return [
    ['streams answered', `${r.answered}/${r.streams}`],
    ['event-loop delay p99 (max)', `${fmt(r.eventLoopDelayP99Ms, 1)} ms (${fmt(r.eventLoopDelayMaxMs, 1)} ms)`],
    ['RSS before → peak', `${r.baseRssMb} → ${r.peakRssMb} MB`],
    ['CPU per 1,000 tokens', `${fmt(r.cpuMsPer1000Tokens, 1)} ms (${fmt(r.cpuMs)} ms for ${fmt(r.tokens)} tokens)`],
    ['wall time', `${fmt(r.wallMs / 1000, 1)} s`],
  ];
}

export function rendererRows(r: Outcome<RendererSummary>): string[][] {
  if (failed(r)) return [['failed', r.error]];
  return [
    ['per upstream delta (push)', `${fmt(r.usPerDelta, 2)} µs (${fmt(r.deltas)} deltas, ${fmt(r.writes)} writes)`],
    ...r.framesByLength.map((f) => [`per frame, ${fmt(f.chars)}-char answer`, `${fmt(f.usPerFrame, 2)} µs`]),
  ];
}

export function storeRow(r: Outcome<StoreResult>, name: string): string[] {
  if (failed(r)) return [name, `failed: ${r.error}`, '', ''];
  if ('skipped' in r) return [name, `skipped: ${r.skipped}`, '', ''];
  return [name, ms(r.appendMs), ms(r.load50TurnsMs), `${r.recordKb} KB`];
}

/** One of the goals, with the figure measured and whether it was met. */
export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const atMost = (goal: string, value: number | undefined, limit: number, unit = 'ms'): Goal => ({
  goal,
  measured: value === undefined ? 'n/a' : `${fmt(value)} ${unit}`,
  met: value === undefined ? undefined : value <= limit,
});

/** The goals of issue 10, per run. */
export function goals(runs: {
  ours: ReadonlyArray<readonly [string, Outcome<RunSummary>]>;
  slack20: ReadonlyArray<readonly [string, Outcome<RunSummary>]>;
  slack50: ReadonlyArray<readonly [string, Outcome<RunSummary>]>;
  discord5: Outcome<RunSummary>;
  load: Outcome<LoadSummary>;
}): Goal[] {
  const list: Goal[] = [];
  for (const [name, r] of runs.ours) {
    if (failed(r)) continue;
    list.push({ goal: `${name}: 0 × 429`, measured: String(r.rateLimited), met: r.rateLimited === 0 });
    list.push({ goal: `${name}: 100% final text right`, measured: `${fmt(r.finalTextCorrectPct)}%`, met: r.finalTextCorrectPct === 100 });
  }
  for (const [name, r] of runs.slack20) {
    if (failed(r)) continue;
    list.push(atMost(`${name}: first words ≤ 2 s after the first answer token (p95)`, r.firstTokenToFirstTextMs.p95, 2000));
    list.push(atMost(`${name}: final ≤ 3 s after [DONE] (p95)`, r.upstreamDoneToFinalMs.p95, 3000));
  }
  for (const [name, r] of runs.slack50) {
    if (!failed(r)) list.push(atMost(`${name}: final ≤ 10 s after [DONE] (p95)`, r.upstreamDoneToFinalMs.p95, 10_000));
  }
  if (!failed(runs.discord5)) list.push(atMost('Discord, 5 in one channel: final ≤ 2 s after [DONE] (p95)', runs.discord5.upstreamDoneToFinalMs.p95, 2000));
  if (!failed(runs.load)) {
    list.push(atMost(`${runs.load.streams} streams: event-loop delay p99 < 20 ms`, runs.load.eventLoopDelayP99Ms, 20));
    list.push(atMost(`${runs.load.streams} streams: peak RSS < 200 MB over the idle process`, runs.load.peakRssMb - runs.load.baseRssMb, 200, 'MB'));
  }
  return list;
}

export function goalsTable(list: readonly Goal[]): string {
  return table(['goal (issue 10)', 'measured', 'met'], list.map((g) => [g.goal, g.measured, g.met === undefined ? 'n/a' : g.met ? 'yes' : 'no']));
}
