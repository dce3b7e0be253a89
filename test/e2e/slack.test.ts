/**
 * A Slack user's view of the bot, end to end: the real Bolt receiving signed
 * events from a loopback Slack, the real core streaming from a fake upstream
 * that replays the provider's fixture, and what lands in the fake Slack.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { fixtureAnswer } from '../fakes/upstream.ts';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { answerMessages, CHANNEL, finalAnswer, isLive, mentionEvent, messageEvent, startSlackBot, type SlackBotUnderTest } from '../fakes/slack/harness.ts';

let t: SlackBotUnderTest;
beforeEach(async () => {
  t = await startSlackBot();
});
afterEach(async () => {
  await t.close();
});

test('a mention is answered in its thread, streamed into one message that ends with the answer and its controls', async () => {
  const event = mentionEvent('你是誰?');
  const sent = await t.sender.event(event);
  expect(sent.status).toBe(200);

  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain(toMrkdwn(fixtureAnswer()));
  const messages = answerMessages(t.slack, event.ts);
  expect(messages).toHaveLength(1);
  // It grew by edits, and showed Stop while it was live.
  const writes = t.slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
  expect(writes[0]?.method).toBe('chat.postMessage');
  expect(writes[0]?.args.thread_ts).toBe(event.ts);
  expect(writes.some((c) => c.method === 'chat.update')).toBe(true);
  expect(JSON.stringify(writes[0]?.args.blocks)).toContain('"action_id":"stop"');
  expect(isLive(messages[0]!)).toBe(false);
  expect(t.upstream.requests[0]?.body.messages.at(-1)).toEqual({ role: 'user', content: '你是誰?' });
});
