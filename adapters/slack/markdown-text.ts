/**
 * The core's Markdown as Slack's native streaming takes it. `markdown_text` is
 * standard Markdown (docs.slack.dev chat.startStream / appendStream), so nothing
 * is converted to mrkdwn; only what Slack would read as a mention is defused.
 *
 * Slack's special sequences all open with `<` and a sigil: `<!channel>`,
 * `<!here>`, `<!everyone>`, `<!subteam^…>`, `<@U…>`, `<#C…>` (docs.slack.dev
 * "Formatting text"; `&`, `<`, `>` are its control characters). Writing that `<`
 * as `&lt;` leaves text that reads the same and pings nobody. Other `<`, `>` and
 * `&` stay as they are, so `a < b && c > d` in code still reads as written.
 */

/** A `<` that opens a Slack special sequence, or ends the text (the next piece may start with the sigil). */
const MENTION_OPEN = /<(?=[!@#]|$)/g;

/**
 * Defuses mentions in one piece of a message. `following` is the character after
 * the piece when known; a `<` at the end of the piece is escaped unless that
 * character shows it opens nothing.
 */
export function toMarkdownText(piece: string, following?: string): string {
  const escaped = piece.replace(MENTION_OPEN, '&lt;');
  if (following !== undefined && piece.endsWith('<') && !/^[!@#]/.test(following)) return `${escaped.slice(0, -'&lt;'.length)}<`;
  return escaped;
}

/**
 * How much of a live text to send now: everything before its last non-space
 * character. So every appended piece starts with a non-space character, because
 * leading whitespace of an appended chunk has been seen to vanish at the join
 * (NousResearch/hermes-agent#59010's live probes of chat.appendStream), and the character
 * after a trailing `<` is always known when that `<` is sent.
 */
export function settledLength(text: string): number {
  return Math.max(0, text.search(/\S\s*$/));
}

/**
 * Splits `text` into pieces whose Markdown stays within `limit` characters each
 * (`markdown_text` takes at most 12,000 per call): escaping at most quadruples a
 * character, so a piece holds at most a quarter of the limit, and never ends
 * between the halves of a surrogate pair.
 */
export function markdownPieces(text: string, limit: number): string[] {
  const size = Math.max(2, Math.floor(limit / 4));
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
