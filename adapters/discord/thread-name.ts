import { questionTitle } from '../../src/conversation/question-title.ts';

/** A thread's name from the question: one line, at most Discord's 100 characters (channel.mdx "name": 1–100). */
const MAX_THREAD_NAME = 100;

export function threadName(question: string, fallback: string): string {
  return questionTitle(question, MAX_THREAD_NAME, fallback);
}
