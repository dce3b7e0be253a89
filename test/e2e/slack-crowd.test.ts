/**
 * A crowd in one workspace, through the real Bolt: 20 people mention the bot
 * within one second, each in a channel of their own, while the fake Slack counts
 * calls as a token bucket (chat.update: 20 at once, then 50 a minute; the
 * streaming methods: 10 at once, then 20 a minute), which answers 429 long
 * before a minute's budget is spent. The provider streams at a real pace
 * (reasoning first, then the answer), so the answers overlap as they would.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { answerFor } from '../fakes/paced-upstream.ts';
import { answerOver, shownText } from '../fakes/slack/answers.ts';
import { mentionEvent, startSlackBot, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import type { FakeSlackMessage } from '../fakes/slack/server.ts';
import { usePacedUpstream } from '../support/paced-upstream-hooks.ts';

const CROWD = 20;
const REASONING_MS = 1500;
const ANSWER_CHARS = 600;

const upstream = usePacedUpstream();
let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function crowd(streaming: 'native' | 'update') {
  t = await startSlackBot({ SLACK_STREAMING: streaming, LLM_API_BASE: `${upstream.url}/r${REASONING_MS}/a${ANSWER_CHARS}`, LLM_MAX_RETRIES: '0' });
  const { slack, sender } = t;
  slack.slackRates('bucket');
  const asked = Array.from({ length: CROWD }, (_, i) => {
    const question = `[[crowd-${streaming}-${i}]] how do rate limits shape a streamed answer?`;
    return { event: mentionEvent(question, { channel: `C0CROWD${i}` }), answer: answerFor(question, ANSWER_CHARS) };
  });
  await Promise.all(asked.map(({ event }) => sender.event(event)));
  await slack.waitForCall(() => asked.every(({ event }) => answerOver(slack, event.channel, event.ts) !== undefined));
  return { slack, asked };
}

test.each(['native', 'update'] as const)(
  '20 mentions at once in one workspace (%s): no 429, and every answer ends as the model wrote it',
  async (streaming) => {
    const { slack, asked } = await crowd(streaming);
    for (const { event, answer } of asked) {
      const messages = answerOver(slack, event.channel, event.ts) ?? [];
      expect(messages).toHaveLength(1);
      const message = messages[0] as FakeSlackMessage;
      expect(shownText(message)).toBe(message.markdown !== undefined ? answer : toMrkdwn(answer));
    }
    expect(slack.calls.filter((c) => c.status === 429)).toEqual([]);
    if (streaming === 'native') {
      // Native streaming took what its budget allowed; the rest overflowed to chat.postMessage + chat.update at once.
      const started = slack.calls.filter((c) => c.method === 'chat.startStream' && c.status === 200).length;
      expect(started).toBeGreaterThan(0);
      expect(started).toBeLessThan(CROWD);
      expect(slack.calls.filter((c) => c.method === 'chat.stopStream' && c.status === 200)).toHaveLength(started);
    }
  },
  120_000,
);
