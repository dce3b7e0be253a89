/**
 * A Slack user's view of the bot, end to end: the real Bolt receiving signed
 * events from a loopback Slack, the real core streaming from a fake upstream
 * that replays the provider's fixture, and what lands in the fake Slack.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { fixtureAnswer } from '../fakes/upstream.ts';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { answerMessages, finalAnswer, isFinal, isLive, mentionEvent, messageEvent, startSlackBot, userTs, type SlackBotUnderTest } from '../fakes/slack/harness.ts';

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

test('a follow-up in the thread needs no mention and carries the conversation so far', async () => {
  const first = mentionEvent('Hello,What model are you?');
  await t.sender.event(first);
  await finalAnswer(t.slack, first.ts);

  await t.sender.event(messageEvent('And who trained you?', { threadTs: first.ts }));
  const second = await finalAnswer(t.slack, first.ts, { nth: 2 });
  expect(second).toContain(toMrkdwn(fixtureAnswer()));
  expect(t.upstream.requests[1]?.body.messages.slice(1)).toEqual([
    { role: 'user', content: 'Hello,What model are you?' },
    { role: 'assistant', content: fixtureAnswer() },
    { role: 'user', content: 'And who trained you?' },
  ]);
});

test('a message in a thread the bot is not part of, without a mention, is left alone', async () => {
  const elsewhere = userTs();
  await t.sender.event(messageEvent('just chatting', { threadTs: elsewhere }));
  await t.sender.event(messageEvent('not for the bot'));
  // A mention afterwards is answered, and it is the only thing answered.
  const sentinel = mentionEvent('are you there?');
  await t.sender.event(sentinel);
  await finalAnswer(t.slack, sentinel.ts);
  expect(t.upstream.requests).toHaveLength(1);
  expect(t.slack.messages.every((m) => m.threadTs === sentinel.ts)).toBe(true);
});

test('a direct message is answered without a mention, in a thread of its own', async () => {
  const dm = messageEvent('hello bot', { channel: 'D0DIRECT', channelType: 'im' });
  await t.sender.event(dm);
  const text = await finalAnswer(t.slack, dm.ts, { channel: 'D0DIRECT' });
  expect(text).toContain(toMrkdwn(fixtureAnswer()));
});

test('a retried event (same event_id, X-Slack-Retry-Num) gets no second answer', async () => {
  const event = mentionEvent('once please');
  await t.sender.event(event, { eventId: 'EvRETRY0001' });
  const retry = await t.sender.event(event, { eventId: 'EvRETRY0001', retryNum: 1, retryReason: 'http_timeout' });
  expect(retry.status).toBe(200);
  await finalAnswer(t.slack, event.ts);

  const sentinel = mentionEvent('next');
  await t.sender.event(sentinel);
  await finalAnswer(t.slack, sentinel.ts);
  expect(t.upstream.requests).toHaveLength(2);
  expect(answerMessages(t.slack, event.ts)).toHaveLength(1);
});

test('a mention that arrives both as app_mention and as message is answered once', async () => {
  const mention = mentionEvent('double delivery');
  await t.sender.event(mention);
  await t.sender.event(messageEvent(mention.text, { ts: mention.ts }));
  await finalAnswer(t.slack, mention.ts);

  const sentinel = mentionEvent('next');
  await t.sender.event(sentinel);
  await finalAnswer(t.slack, sentinel.ts);
  expect(t.upstream.requests).toHaveLength(2);
  expect(answerMessages(t.slack, mention.ts)).toHaveLength(1);
});

test("bot messages, edits and deletions are never answered", async () => {
  const first = mentionEvent('hi');
  await t.sender.event(first);
  await finalAnswer(t.slack, first.ts);
  await t.sender.event(messageEvent('<@UBOT> from a bot', { threadTs: first.ts, extra: { bot_id: 'BOTHER', subtype: 'bot_message' } }));
  await t.sender.event(messageEvent('edited', { threadTs: first.ts, extra: { subtype: 'message_changed' } }));
  await t.sender.event(messageEvent('', { threadTs: first.ts, extra: { subtype: 'message_deleted' } }));
  await t.sender.event(messageEvent('my own echo', { threadTs: first.ts, extra: { user: 'UBOT' } }));

  const sentinel = mentionEvent('next');
  await t.sender.event(sentinel);
  await finalAnswer(t.slack, sentinel.ts);
  expect(t.upstream.requests).toHaveLength(2);
});

test('a request with a bad signature is refused with 401 and nothing is answered', async () => {
  const body = JSON.stringify({ type: 'event_callback', team_id: 'T0001', event_id: 'EvBAD', event: mentionEvent('forged') });
  const refused = await t.sender.raw(body, { 'content-type': 'application/json' }, 'v0=0000000000000000000000000000000000000000000000000000000000000000');
  expect(refused.status).toBe(401);

  const sentinel = mentionEvent('genuine');
  await t.sender.event(sentinel);
  await finalAnswer(t.slack, sentinel.ts);
  expect(t.upstream.requests).toHaveLength(1);
  expect(t.upstream.requests[0]?.body.messages.at(-1)).toEqual({ role: 'user', content: 'genuine' });
});

test('model output with <!channel> and <@U…> pings nobody', async () => {
  t.upstream.script({ type: 'answer', text: 'Hey <!channel>, ask <@U0BOSS> & <!here>.' });
  const event = mentionEvent('ping everyone');
  await t.sender.event(event);
  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain('&lt;!channel&gt;');
  const everything = JSON.stringify(t.slack.calls.filter((c) => c.method.startsWith('chat.')).map((c) => c.args));
  expect(everything).not.toMatch(/<!channel|<!here|<@U0BOSS/);
  expect(t.slack.calls.some((c) => 'link_names' in c.args)).toBe(false);
});

test('a long answer continues in further messages of the thread, each within Slack\'s size', async () => {
  const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i + 1}: ${'lorem ipsum dolor sit amet '.repeat(12).trim()}.`);
  t.upstream.script({ type: 'answer', text: paragraphs.join('\n\n'), chunkSize: 400 });
  const event = mentionEvent('write a lot');
  await t.sender.event(event);
  // The first part is final as soon as it is sealed: wait for the last paragraph to be final.
  const last = paragraphs.at(-1) ?? '';
  await t.slack.waitForCall(() => answerMessages(t.slack, event.ts).some((m) => isFinal(m) && m.text.includes(last)));
  await t.settled();
  const messages = answerMessages(t.slack, event.ts);
  const text = messages.map((m) => m.text).join('\n');
  expect(messages.length).toBeGreaterThanOrEqual(3);
  for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(4000);
  for (const p of paragraphs) expect(text).toContain(p);
  // Only the last message carries the controls.
  expect(messages.slice(0, -1).every((m) => (m.blocks ?? []).every((b) => (b as { type: string }).type === 'section'))).toBe(true);
});
