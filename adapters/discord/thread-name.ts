/** A thread's name from the question: one line, at most Discord's 100 characters (channel.mdx "name": 1–100). */
const MAX_THREAD_NAME = 100;

export function threadName(question: string, fallback: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  if (line === '') return fallback;
  const chars = Array.from(line);
  if (chars.length <= MAX_THREAD_NAME) return line;
  return `${chars.slice(0, MAX_THREAD_NAME - 1).join('').trimEnd()}…`;
}
