/**
 * Where one part of a long answer may end. Pure and bounded: it reads only the
 * window it is given, so the same window always gives the same cut, which is
 * what keeps sealed parts stable while the answer grows.
 */
import { afterLine, closeLine, type Fence, mayBecomeFenceLine } from './fence.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const spaces = new Set([' ', '\t', '\n', '\r', '\u3000']);
const closers = new Set(['"', "'", ')', ']', '}', '»', '”', '’', '」', '』', '）', '】', '〉', '》', '〕']);
const sentenceEnds = new Set(['.', '!', '?', '…']);
// CJK sentence punctuation ends a sentence without a space after it.
const cjkSentenceEnds = new Set(['。', '！', '？', '｡', '．']);
const cjkPauses = new Set(['，', '、', '；', '：']);

/** Boundary kinds in the order a split prefers them. */
const preference = ['paragraph', 'line', 'sentence', 'word'] as const;
type BoundaryKind = (typeof preference)[number];

interface Line {
  readonly start: number;
  /** Index of the line's newline, or the window's length when it has none. */
  readonly end: number;
  /** The fence open while this line is read (before it opens or closes one). */
  readonly fence: Fence | undefined;
  /** A fence line, or a last line that may still become one: no cut inside it. */
  readonly guarded: boolean;
  /** A cut at this line's start would leave an empty code block in one part. */
  readonly noCutAtStart: boolean;
}

export interface CutPoint {
  /** Characters of the window that go into this part. */
  readonly at: number;
  /** The fence open at the cut, to close here and reopen in the next part. */
  readonly fence: Fence | undefined;
}

/**
 * Chooses how much of `window` goes into a part of at most `room` characters
 * (counting the line that closes a fence cut in two). `fence` is the fence open at
 * the window's start, `atLineStart` whether the window starts a line, and `complete`
 * whether the window is the whole rest of the text (else its last line may be cut short).
 * Prefers paragraph, line, sentence, then word boundaries in the second half of
 * the room; never cuts a grapheme cluster, a fence line or a Markdown link.
 */
export function chooseCut(
  window: string,
  room: number,
  opts: { fence: Fence | undefined; atLineStart: boolean; complete: boolean },
): CutPoint {
  const lines = readLines(window, opts);
  const banned = linkSpans(window, opts.complete);
  const best = new Map<BoundaryKind, CutPoint>();
  let fallback: CutPoint | undefined;
  // Only when a link or a line longer than the room leaves no allowed place: any whole grapheme.
  let lastResort: CutPoint | undefined;
  // Read back from the room, so each kind's first place found is its last one: the search stops at
  // the first paragraph break, or below half the room once an allowed place is known, instead of
  // weighing every grapheme of the window (a few thousand each time an answer fills a message).
  for (const at of graphemeStartsDown(window, room)) {
    if (best.has('paragraph') || (fallback && at < room / 2)) break;
    const line = lineAt(lines, at);
    // `closeLine` reads only whether the part ends with a newline, so the last character stands for the part.
    const close = line.fence ? closeLine(line.fence, window[at - 1] ?? '').length : 0;
    if (at + close > room) continue;
    const cut = { at, fence: line.fence };
    lastResort ??= cut;
    if ((line.guarded && at > line.start) || (line.noCutAtStart && at === line.start)) continue;
    if (banned.some(([start, end]) => at > start && at < end)) continue;
    fallback ??= cut;
    const kind = boundaryKind(window, at);
    if (kind && at >= room / 2 && !best.has(kind)) best.set(kind, cut);
  }
  for (const kind of preference) {
    const cut = best.get(kind);
    if (cut) return cut;
  }
  return fallback ?? lastResort ?? hardCut(window, room, lines);
}

/**
 * Code units that are each a grapheme cluster of their own, whatever stands beside them (Unicode
 * Grapheme_Cluster_Break Other or Control, UAX #29): Latin, Greek and Cyrillic letters without
 * combining marks, CJK ideographs and punctuation, full-width forms. CR is left out (CR LF is one
 * cluster), and so are the combining marks U+302A–U+302F and U+FF9E–U+FF9F.
 */
const singleUnitGraphemes = /^[\0-\f\x0e-\u02ff\u3000-\u3029\u3030-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff9d]*$/;

/** Where the window's grapheme clusters start, after its first and at most `room`, last first. */
function* graphemeStartsDown(window: string, room: number): Generator<number> {
  // Most answers are such text: every position is a start, and asking ICU for them costs more than the search.
  if (singleUnitGraphemes.test(window)) {
    for (let at = Math.min(room, window.length - 1); at > 0; at -= 1) yield at;
    return;
  }
  const starts: number[] = [];
  for (const { index } of graphemes.segment(window)) {
    if (index > room) break;
    if (index > 0) starts.push(index);
  }
  for (let i = starts.length - 1; i >= 0; i -= 1) yield starts[i] as number;
}

/** The line holding position `at` (a position at a line's newline belongs to that line). */
function lineAt(lines: readonly Line[], at: number): Line {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lines[mid]?.start ?? 0) <= at) low = mid;
    else high = mid - 1;
  }
  return lines[low] as Line;
}

/** When not one whole grapheme fits: cut between code points, never inside a surrogate pair. */
function hardCut(window: string, room: number, lines: readonly Line[]): CutPoint {
  let at = 0;
  for (const char of window) {
    const fence = lineAt(lines, at + char.length).fence;
    const close = fence ? closeLine(fence, 'x').length : 0;
    if (at > 0 && at + char.length + close > room) break;
    at += char.length;
  }
  return { at, fence: lineAt(lines, at).fence };
}

function boundaryKind(text: string, at: number): BoundaryKind | undefined {
  const before = text[at - 1] ?? '';
  const after = text[at] ?? '';
  if (before === '\n' && after !== '\n') return text[at - 2] === '\n' ? 'paragraph' : 'line';
  if (spaces.has(after) || closers.has(after)) return undefined;
  let q = at - 1;
  if (spaces.has(before)) {
    while (q >= 0 && spaces.has(text[q] ?? '')) q -= 1;
    while (q >= 0 && closers.has(text[q] ?? '')) q -= 1;
    return sentenceEnds.has(text[q] ?? '') || cjkSentenceEnds.has(text[q] ?? '') ? 'sentence' : 'word';
  }
  while (q >= 0 && closers.has(text[q] ?? '')) q -= 1;
  if (cjkSentenceEnds.has(text[q] ?? '')) return 'sentence';
  if (cjkPauses.has(text[q] ?? '')) return 'word';
  return undefined;
}

function readLines(window: string, opts: { fence: Fence | undefined; atLineStart: boolean; complete: boolean }): Line[] {
  const lines: Line[] = [];
  let fence = opts.fence;
  let start = 0;
  let opened = false;
  for (;;) {
    const newline = window.indexOf('\n', start);
    const end = newline === -1 ? window.length : newline;
    const text = window.slice(start, end);
    // A window that starts mid-line continues a line that is not a fence line.
    const whole = start > 0 || opts.atLineStart;
    const partial = newline === -1 && !opts.complete;
    const after = whole ? afterLine(text, fence) : fence;
    // `afterLine` keeps the same object unless the line opens or closes a fence.
    const guarded = whole && (after !== fence || (partial && mayBecomeFenceLine(text)));
    const closes = fence !== undefined && after === undefined;
    lines.push({ start, end, fence, guarded, noCutAtStart: opened || closes });
    opened = fence === undefined && after !== undefined;
    fence = after;
    if (newline === -1) return lines;
    start = newline + 1;
  }
}

/** Spans of Markdown links and images `[text](url)`; with an unfinished window, a link still being written too. */
function linkSpans(window: string, complete: boolean): Array<readonly [number, number]> {
  const spans: Array<readonly [number, number]> = [];
  for (const match of window.matchAll(/!?\[[^[\]\n]*\]\([^()\s]*\)/g)) {
    spans.push([match.index, match.index + match[0].length]);
  }
  if (!complete) {
    const open = /!?\[[^[\]\n]*(\]\(?[^()\s]*)?$/.exec(window);
    if (open) spans.push([open.index, window.length + 1]);
  }
  return spans;
}
