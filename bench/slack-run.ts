/**
 * The bot as in production (startBot, real Bolt in HTTP mode) against the
 * loopback Slack with Slack's budgets enforced: chat.update 50 per minute for
 * the workspace (Tier 3) and chat.postMessage one per second (one channel here).
 * N people mention the bot at once in one channel; each answer streams into
 * its own thread, and all of them share the workspace's chat.update budget.
 */
import { toMrkdwn } from '../adapters/slack/mrkdwn.ts';
import { answerMessages, isFinal, mentionEvent, startSlackBot } from '../test/fakes/slack/harness.ts';
import { answerFor, type PacedUpstream } from '../test/fakes/paced-upstream.ts';
import { epochNow, summarize, within, type RunSummary, type StreamRecord } from './streams.ts';

export interface SlackProfile {
  readonly streams: number;
  readonly reasoningMs: number;
  readonly answerChars: number;
}

/** chat.update: Tier 3, 50+ per minute per workspace (platform-limits.md §2a). */
export const SLACK_UPDATE_BUDGET = { limit: 50, windowMs: 60_000 };

export async function runSlack(upstream: PacedUpstream, profile: SlackProfile): Promise<RunSummary> {
  const bot = await startSlackBot({
    LLM_API_BASE: upstream.base(profile.reasoningMs, profile.answerChars),
    LLM_MAX_RETRIES: '0',
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
  });
  const { slack, sender } = bot;
  slack.budget('chat.update', { ...SLACK_UPDATE_BUDGET });
  slack.budget('chat.postMessage', { limit: 1, windowMs: 1000 });
  try {
    const started = epochNow();
    const streams: (StreamRecord & { threadTs: string })[] = [];
    const observe = () => {
      const now = epochNow();
      for (const s of streams) {
        if (s.finalAt !== undefined) continue;
        const [message] = answerMessages(slack, s.threadTs);
        if (!message) continue;
        s.firstMessageAt ??= now;
        if (s.firstTextAt === undefined && message.text.includes(s.expected.slice(0, 30))) s.firstTextAt = now;
        if (isFinal(message)) {
          s.finalAt = now;
          s.finalText = message.text;
          s.edits = message.updates;
        }
      }
      return streams.length === profile.streams && streams.every((s) => s.finalAt !== undefined);
    };
    // Checked after every Web API call the fake answers: the moment a write lands is the moment a user sees it.
    const allFinal = slack.waitForCall(observe);

    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < profile.streams; i++) {
      const tag = `bench-slack-${i}`;
      const question = `${tag}: how do rate limits shape a streamed answer?`;
      const event = mentionEvent(question);
      streams.push({ tag, expected: toMrkdwn(answerFor(question, profile.answerChars)), mentionAt: epochNow(), threadTs: event.ts, edits: 0 });
      sent.push(sender.event(event));
    }
    await Promise.all(sent);
    await within(allFinal, 150_000, 'the Slack streams');
    const wallMs = epochNow() - started;
    const rateLimited = slack.calls.filter((c) => c.status === 429).length;
    return summarize(streams, await upstream.log(), rateLimited, wallMs);
  } finally {
    await bot.close();
  }
}
