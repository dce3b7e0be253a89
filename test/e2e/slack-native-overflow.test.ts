/**
 * Native streaming when chat.startStream does not start: the answer goes by
 * chat.postMessage + chat.update at once, reading exactly as the model wrote it,
 * and only the errors that say so make a workspace stream by chat.update for good.
 * Through the real Bolt; the provider streams at a real pace so the first words
 * are written while the answer is still coming.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { answerFor } from '../fakes/paced-upstream.ts';
import { finishedAnswer } from '../fakes/slack/answers.ts';
import { mentionEvent, startSlackBot, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import type { Failure } from '../fakes/slack/server.ts';
import { usePacedUpstream } from '../support/paced-upstream-hooks.ts';

const ANSWER_CHARS = 900;

const upstream = usePacedUpstream();
let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function ask(tag: string) {
  if (!t) throw new Error('no bot');
  const question = `[[${tag}]] tell me about budgets`;
  const event = mentionEvent(question, { channel: `C0${tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}` });
  await t.sender.event(event);
  return { messages: await finishedAnswer(t.slack, event.channel, event.ts), answer: answerFor(question, ANSWER_CHARS) };
}

const startWith = async (failure: Failure) => {
  t = await startSlackBot({ SLACK_STREAMING: 'native', LLM_API_BASE: `${upstream.url}/r300/a${ANSWER_CHARS}`, LLM_MAX_RETRIES: '0' });
  t.slack.fail('chat.startStream', 1, failure);
  return t.slack;
};

test('a 429 on chat.startStream sends that answer by chat.postMessage and chat.update at once, exactly as the model wrote it', async () => {
  const slack = await startWith({ type: 'rate-limited', retryAfterSec: 30 });
  const { messages, answer } = await ask('overflow-429');
  expect(messages).toHaveLength(1);
  expect(messages[0]?.markdown).toBeUndefined();
  expect(messages[0]?.text).toBe(toMrkdwn(answer));
  // One try, no second: the answer did not wait out the 30 s.
  expect(slack.calls.filter((c) => c.method === 'chat.startStream')).toHaveLength(1);
  expect(slack.calls.filter((c) => c.status === 429)).toHaveLength(1);
});

test.each([
  ['a 5xx', { type: 'http', status: 500 }],
  ['an error code it does not know', { type: 'error', error: 'some_new_error' }],
] as const)('%s on chat.startStream: that answer by chat.update, the next one streamed natively again', async (_, failure) => {
  const slack = await startWith(failure);
  const first = await ask('fails-once');
  expect(first.messages).toHaveLength(1);
  expect(first.messages[0]?.text).toBe(toMrkdwn(first.answer));

  const next = await ask('streams-again');
  expect(next.messages).toHaveLength(1);
  expect(next.messages[0]?.markdown).toBe(next.answer);
  expect(slack.calls.filter((c) => c.method === 'chat.startStream' && c.status === 200 && c.error === undefined)).toHaveLength(1);
});

test('a workspace that says it does not stream natively gets chat.update from then on', async () => {
  const slack = await startWith({ type: 'error', error: 'feature_not_enabled' });
  const first = await ask('refused');
  expect(first.messages[0]?.text).toBe(toMrkdwn(first.answer));
  const next = await ask('refused-again');
  expect(next.messages[0]?.text).toBe(toMrkdwn(next.answer));
  expect(slack.calls.filter((c) => c.method === 'chat.startStream')).toHaveLength(1);
});
