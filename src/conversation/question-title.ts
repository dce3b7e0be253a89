/**
 * A short title from a question, for what platforms name after it (a Discord thread,
 * a Slack agent session or assistant thread): one line, at most `maxChars` characters
 * (whole code points, an ellipsis marking a cut), `fallback` for a question without text.
 */
export function questionTitle(question: string, maxChars: number, fallback: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  if (line === '') return fallback;
  const chars = Array.from(line);
  if (chars.length <= maxChars) return line;
  return `${chars.slice(0, maxChars - 1).join('').trimEnd()}…`;
}
