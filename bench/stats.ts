/** Percentiles and the table the bench prints. */

/** The p-th percentile (0–100) by nearest rank; undefined for no samples. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export interface Spread {
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly n: number;
}

export function spread(samples: readonly number[]): Spread {
  return { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), n: samples.length };
}

export function round(n: number | undefined, digits = 1): number | undefined {
  if (n === undefined) return undefined;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const mean = (samples: readonly number[]) => (samples.length === 0 ? undefined : samples.reduce((a, b) => a + b, 0) / samples.length);

/** `1,234 / 2,345 ms` for a p50/p95 spread. */
export function ms(s: Spread): string {
  if (s.p50 === undefined) return 'n/a';
  // Sub-10 ms figures (the store) keep a decimal; stream latencies are whole milliseconds.
  const digits = (s.p95 ?? 0) < 10 ? 1 : 0;
  return `${fmt(s.p50, digits)} / ${fmt(s.p95 ?? 0, digits)} ms`;
}

export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined) return 'n/a';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A Markdown table: the README and the terminal show the same thing. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
