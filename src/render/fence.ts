/**
 * Fenced code blocks as the splitter needs them: which line opens or closes a
 * fence, and the lines that close a fence at the end of one part and reopen it
 * (with its language) at the start of the next.
 *
 * CommonMark rules, loosened: any indentation is accepted so fences inside list
 * items count; a closing fence uses the opener's character and is at least as long.
 */

/** An open fence: how its opening line looked, so a split can close and reopen it. */
export interface Fence {
  readonly indent: string;
  /** The run of backticks or tildes, e.g. "```" or "~~~~". */
  readonly marker: string;
  /** The info string after the marker, usually the language (e.g. "ts"). */
  readonly info: string;
}

const fenceLine = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

/** The fence a line opens, or undefined when it is not an opening fence line. */
export function openingFence(line: string): Fence | undefined {
  const match = fenceLine.exec(line);
  if (!match) return undefined;
  const [, indent = '', marker = '', info = ''] = match;
  // CommonMark: a backtick fence's info string may not contain a backtick (that is inline code).
  if (marker.startsWith('`') && info.includes('`')) return undefined;
  return { indent, marker, info: info.trim() };
}

/** Whether `line` closes `fence`. */
export function closesFence(line: string, fence: Fence): boolean {
  const match = fenceLine.exec(line);
  if (!match) return false;
  const [, , marker = '', rest = ''] = match;
  return marker[0] === fence.marker[0] && marker.length >= fence.marker.length && rest.trim() === '';
}

/**
 * The fence state after reading `line` (without its newline) in state `open`:
 * a line can open a fence, close the open one, or leave the state as it was.
 */
export function afterLine(line: string, open: Fence | undefined): Fence | undefined {
  if (open) return closesFence(line, open) ? undefined : open;
  return openingFence(line);
}

/** Whether a line still being written might become a fence line (so a cut must not land inside it). */
export function mayBecomeFenceLine(partialLine: string): boolean {
  // Either a run of fence characters that may still grow to three, or a fence line whose info is being written.
  return /^[ \t]*(`+|~+)$/.test(partialLine) || /^[ \t]*(`{3,}|~{3,})/.test(partialLine);
}

/** The line a split adds at the start of the next part to reopen `fence`. */
export function reopenLine(fence: Fence): string {
  return `${fence.indent}${fence.marker}${fence.info}\n`;
}

/** The text a split adds at the end of a part to close `fence`; `body` is the part so far. */
export function closeLine(fence: Fence, body: string): string {
  return `${body.endsWith('\n') ? '' : '\n'}${fence.indent}${fence.marker}`;
}

/** The fence still open at the end of `text`, reading it from a line start in state `open`. */
export function openFenceAtEnd(text: string, open: Fence | undefined = undefined): Fence | undefined {
  let state = open;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      // The last line has no newline yet; it still counts (a closing fence may end the text).
      state = afterLine(text.slice(start), state);
      break;
    }
    state = afterLine(text.slice(start, end), state);
    start = end + 1;
  }
  return state;
}
