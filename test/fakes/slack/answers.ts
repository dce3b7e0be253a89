/** Reading answers the way a Slack user sees them, whichever way they were written (native stream or chat.update). */
import { isFinal, isLive } from './harness.ts';
import type { FakeSlack, FakeSlackMessage } from './server.ts';

/** What a user reads in an answer message: a stream's Markdown, or the mrkdwn of a message grown by chat.update. */
export const shownText = (m: FakeSlackMessage): string => (m.markdown !== undefined ? m.markdown.replaceAll('&lt;', '<') : m.text);

/** Whether a message holds answer text: a stream, or text blocks (not native streaming's Stop message). */
export const isAnswer = (m: FakeSlackMessage): boolean =>
  m.markdown !== undefined || (m.blocks ?? []).some((b) => ['section', 'markdown'].includes((b as { type?: string }).type ?? ''));

/** The answer messages of a thread once the answer is over (final, no Stop control left), else undefined. */
export function answerOver(slack: FakeSlack, channel: string, threadTs: string): FakeSlackMessage[] | undefined {
  const messages = slack.thread(channel, threadTs);
  if (!messages.some(isFinal) || messages.some(isLive)) return undefined;
  return messages.filter(isAnswer);
}

/** Resolves with the answer messages of a thread once the answer is over. */
export async function finishedAnswer(slack: FakeSlack, channel: string, threadTs: string): Promise<FakeSlackMessage[]> {
  await slack.waitForCall(() => answerOver(slack, channel, threadTs) !== undefined);
  return answerOver(slack, channel, threadTs) ?? [];
}
