/**
 * The core's Markdown as Slack mrkdwn, with no way for model text to ping anyone.
 *
 * slackify-markdown does the conversion, but it is not a safety filter: raw HTML
 * nodes and code pass through untouched and its text escaper deliberately keeps
 * `<@U…>` and `<#C…>`, so `<!channel>`, `<!here>` and `<@U…>` in model output
 * would survive (checked against slackify-markdown 5.0.0). Slack parses mentions
 * only from `<…>` sequences (docs.slack.dev "Formatting text": `&`, `<`, `>` are
 * control characters), so after converting we escape every `<` that does not open
 * a link slackify itself wrote (`<http…|label>` with a safe scheme), every `>`
 * but blockquote markers, and every bare `&`. A link whose label holds a `<` is
 * not kept whole: its brackets are escaped like any other.
 */
import { slackifyMarkdown } from 'slackify-markdown';

/** A link slackify writes: a safe scheme, no spaces or brackets in the URL, a label free of `<` and `>`. */
const SAFE_LINK = /^<(?:https?|ftp|mailto):[^\s<>|]+(?:\|[^<>]*)?>/;

/** Escapes what Slack would read as markup, except links the converter wrote itself. */
export function escapeControl(mrkdwn: string): string {
  let out = '';
  let i = 0;
  while (i < mrkdwn.length) {
    const ch = mrkdwn[i];
    if (i === 0 || mrkdwn[i - 1] === '\n') {
      // slackify writes blockquotes as `> ` at the start of each line.
      const quote = /^(?:> ?)+/.exec(mrkdwn.slice(i, i + 40));
      if (quote) {
        out += quote[0];
        i += quote[0].length;
        continue;
      }
    }
    if (ch === '>') {
      out += '&gt;';
    } else if (ch === '<') {
      const link = SAFE_LINK.exec(mrkdwn.slice(i));
      if (link) {
        out += link[0];
        i += link[0].length;
        continue;
      }
      out += '&lt;';
    } else if (ch === '&') {
      // slackify already wrote `&amp;`, `&lt;` and `&gt;` for text; code keeps raw `&`.
      out += /^&(?:amp|lt|gt);/.test(mrkdwn.slice(i, i + 5)) ? '&' : '&amp;';
    } else {
      out += ch;
    }
    i += 1;
  }
  return out;
}

/** Converts the core's Markdown to mrkdwn that can never mention anyone. */
export function toMrkdwn(markdown: string): string {
  if (markdown.trim() === '') return markdown;
  return escapeControl(slackifyMarkdown(markdown)).replace(/\n+$/, '');
}
