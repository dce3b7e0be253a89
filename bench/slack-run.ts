/**
 * The bot as in production (startBot, real Bolt in HTTP mode) against the
 * loopback Slack counting calls under one reading of Slack's tiers
 * (test/fakes/slack/rate-model.ts): a sliding window (chat.update 50 per minute
 * per workspace) or a token bucket (chat.update 20 at once, then 50 a minute;
 * chat.startStream and chat.stopStream 10 at once, then 20 a minute), and
 * chat.postMessage about one a second per channel. N people mention the bot at
 * once, each in a channel of their own in one workspace, so every answer shares
 * the workspace's budgets.
 */
import { toMrkdwn } from '../adapters/slack/mrkdwn.ts';
import { isAnswer, shownText } from '../test/fakes/slack/answers.ts';
import { isFinal, mentionEvent, startSlackBot } from '../test/fakes/slack/harness.ts';
import type { FakeSlack, FakeSlackMessage } from '../test/fakes/slack/server.ts';
import { answerFor, type PacedUpstream } from '../test/fakes/paced-upstream.ts';
import { epochNow, questionFor, summarize, within, type RunSummary, type StreamRecord } from './streams.ts';

export interface SlackProfile {
  readonly streams: number;
  readonly reasoningMs: number;
  readonly answerChars: number;
  readonly reading: 'window' | 'bucket';
  readonly streaming: 'native' | 'update';
}

/** The answer's message in a thread (not the Stop message of native streaming). */
const answerMessage = (slack: FakeSlack, channel: string, threadTs: string) => slack.thread(channel, threadTs).find(isAnswer);

/** The text an answer must finally show on the path it took: Markdown when streamed, mrkdwn when grown by chat.update. */
const expectedOn = (m: FakeSlackMessage, answer: string) => (m.markdown !== undefined ? answer : toMrkdwn(answer));

export async function runSlack(upstream: PacedUpstream, profile: SlackProfile): Promise<RunSummary> {
  const bot = await startSlackBot({
    LLM_API_BASE: upstream.base(profile.reasoningMs, profile.answerChars),
    LLM_MAX_RETRIES: '0',
    SLACK_STREAMING: profile.streaming,
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
  });
  const { slack, sender } = bot;
  slack.slackRates(profile.reading);
  try {
    const started = epochNow();
    const streams: (StreamRecord & { channel: string; threadTs: string; answer: string })[] = [];
    const observe = () => {
      const now = epochNow();
      for (const s of streams) {
        if (s.finalAt !== undefined) continue;
        const message = answerMessage(slack, s.channel, s.threadTs);
        if (!message) continue;
        s.firstMessageAt ??= now;
        if (s.firstTextAt === undefined && shownText(message).includes(s.answer.slice(0, 30))) s.firstTextAt = now;
        if (isFinal(message) && !message.streaming) {
          s.finalAt = now;
          s.finalText = shownText(message);
          s.expected = expectedOn(message, s.answer);
        }
      }
      return streams.length === profile.streams && streams.every((s) => s.finalAt !== undefined);
    };
    // Checked after every Web API call the fake answers: the moment a write lands is the moment a user sees it.
    const allFinal = slack.waitForCall(observe);

    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < profile.streams; i++) {
      const tag = `slack-${profile.reading}-${profile.streaming}-${profile.streams}-${i}`;
      const question = questionFor(tag);
      const event = mentionEvent(question, { channel: `C0BENCH${i}` });
      const answer = answerFor(question, profile.answerChars);
      streams.push({ tag, expected: answer, answer, mentionAt: epochNow(), channel: event.channel, threadTs: event.ts, edits: 0 });
      sent.push(sender.event(event));
    }
    await Promise.all(sent);
    await within(allFinal, 300_000, 'the Slack streams');
    const wallMs = epochNow() - started;
    for (const s of streams) s.edits = writesAfterFirst(slack, s.channel, s.threadTs);
    const rateLimited = slack.calls.filter((c) => c.status === 429).length;
    return summarize(streams, await upstream.log(), rateLimited, wallMs);
  } finally {
    await bot.close();
  }
}

/** Successful writes to the answer's message after the one that created it. */
function writesAfterFirst(slack: FakeSlack, channel: string, threadTs: string): number {
  const message = answerMessage(slack, channel, threadTs);
  if (!message) return 0;
  const grows = new Set(['chat.update', 'chat.appendStream', 'chat.stopStream']);
  return slack.calls.filter((c) => grows.has(c.method) && c.status === 200 && c.args.channel === channel && c.args.ts === message.ts).length;
}
