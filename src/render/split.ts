/**
 * Splitting a long answer into messages that each fit a platform's limit. The
 * cut for a part depends only on a fixed-size window of text after the cursor,
 * so a part sealed while the answer streams is the part the whole answer gives.
 */
import { chooseCut } from './cut-point.ts';
import { closeLine, type Fence, reopenLine } from './fence.ts';

/** Characters read past a part's room before its cut is chosen for good. */
export const lookahead = 16;

/** Where the unsplit rest of the text begins, and the fence it begins inside. */
export interface Cursor {
  readonly offset: number;
  readonly fence: Fence | undefined;
}

/** One part: `body` is a slice of the text; `reopen` and `close` are fence lines the split added. */
export interface Part {
  readonly reopen: string;
  readonly body: string;
  readonly close: string;
}

export const startCursor: Cursor = { offset: 0, fence: undefined };

export const partText = (part: Part): string => part.reopen + part.body + part.close;

/** The line that reopens a fence at the start of a part, shortened if a long info string would crowd the part. */
export function reopenFor(fence: Fence | undefined, limit: number): string {
  if (!fence) return '';
  const line = reopenLine(fence);
  return line.length <= limit / 4 ? line : `${fence.marker}\n`;
}

export type CutResult =
  | { readonly type: 'fits' }
  | { readonly type: 'wait' }
  | { readonly type: 'cut'; readonly part: Part; readonly next: Cursor };

/**
 * Cuts the next part of at most `limit` characters off `text` at `cursor`.
 * `fits`: the rest fits whole; `wait` (only when not `final`): the rest is too
 * long but the text after the cut has not arrived yet, so the cut is not chosen.
 */
export function cutNext(text: string, cursor: Cursor, limit: number, final: boolean): CutResult {
  const reopen = reopenFor(cursor.fence, limit);
  const room = Math.max(1, limit - reopen.length);
  const rest = text.length - cursor.offset;
  if (rest <= room) return { type: 'fits' };
  if (rest < room + lookahead && !final) return { type: 'wait' };
  const window = text.slice(cursor.offset, cursor.offset + room + lookahead);
  const cut = chooseCut(window, room, {
    fence: cursor.fence,
    atLineStart: cursor.offset === 0 || text[cursor.offset - 1] === '\n',
    // Only a window shorter than the full size is known to hold the whole rest; a full-size
    // window is read the same way whether or not more text follows, which keeps cuts stable.
    complete: window.length < room + lookahead,
  });
  const body = window.slice(0, cut.at);
  const close = cut.fence ? closeLine(cut.fence, body) : '';
  return { type: 'cut', part: { reopen, body, close }, next: { offset: cursor.offset + cut.at, fence: cut.fence } };
}

/** The parts of the whole `text`, with the fence lines each split added. */
export function splitParts(text: string, limit: number): Part[] {
  const parts: Part[] = [];
  let cursor = startCursor;
  for (;;) {
    const result = cutNext(text, cursor, limit, true);
    if (result.type !== 'cut') {
      parts.push({ reopen: reopenFor(cursor.fence, limit), body: text.slice(cursor.offset), close: '' });
      return parts;
    }
    parts.push(result.part);
    cursor = result.next;
  }
}

/** Splits Markdown into parts of at most `limit` characters each (pure). */
export function splitMarkdown(text: string, limit: number): string[] {
  return splitParts(text, limit).map(partText);
}
