/**
 * When Slack pushes back: rate limits on chat.update and refusals, through the
 * real Bolt, @slack/web-api and the core's write scheduler.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { fixtureAnswer } from '../fakes/upstream.ts';
import { userTextIn } from '../../src/user-text.ts';
import { CHANNEL, finalAnswer, mentionEvent, messageEvent, startSlackBot, userTs, type SlackBotUnderTest } from '../fakes/slack/harness.ts';

const userText = userTextIn('en');

let t: SlackBotUnderTest;
beforeEach(async () => {
  t = await startSlackBot();
});
afterEach(async () => {
  await t.close();
});

test('a 429 on chat.update is waited out and the answer still ends right', async () => {
  t.slack.fail('chat.update', 1, { type: 'rate-limited', retryAfterSec: 1 });
  const event = mentionEvent('hello');
  await t.sender.event(event);
  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain(toMrkdwn(fixtureAnswer()));

  const updates = t.slack.calls.filter((c) => c.method === 'chat.update');
  expect(updates[0]?.status).toBe(429);
  expect(updates.at(-1)?.status).toBe(200);
  // One answer message, grown in place despite the 429.
  expect(t.slack.thread(event.channel, event.ts)).toHaveLength(1);
});

test('answers streaming at once in three channels all end right under a tight chat.update budget', async () => {
  t.slack.budget('chat.update', { limit: 2, windowMs: 1000 });
  t.upstream.script(
    { type: 'answer', text: 'First answer, streamed in small pieces.', chunkSize: 5 },
    { type: 'answer', text: 'Second answer, streamed in small pieces.', chunkSize: 5 },
    { type: 'answer', text: 'Third answer, streamed in small pieces.', chunkSize: 5 },
  );
  const events = ['C0ONE', 'C0TWO', 'C0THREE'].map((channel) => mentionEvent('go', { channel }));
  await Promise.all(events.map((e) => t.sender.event(e)));
  const texts = await Promise.all(events.map((e) => finalAnswer(t.slack, e.ts, { channel: e.channel })));
  expect(texts.map((text) => text.split(',')[0]).sort()).toEqual(['First answer', 'Second answer', 'Third answer']);
  for (const e of events) expect(t.slack.thread(e.channel, e.ts)).toHaveLength(1);
});

test('a channel the bot may not write to does not stop it answering elsewhere', async () => {
  t.slack.fail('chat.postMessage', 1, { type: 'error', error: 'not_in_channel' });
  const refused = mentionEvent('hello', { channel: 'C0LOCKED' });
  await t.sender.event(refused);
  await t.slack.waitForCall((c) => c.method === 'chat.postMessage' && c.error === 'not_in_channel');

  const fine = mentionEvent('hello again');
  await t.sender.event(fine);
  const text = await finalAnswer(t.slack, fine.ts);
  expect(text).toContain(toMrkdwn(fixtureAnswer()));
  expect(t.slack.messages.filter((m) => m.channel === 'C0LOCKED')).toHaveLength(0);
});

test('outside the allowed channels a mention gets a private "not enabled here" and no answer', async () => {
  await t.close();
  t = await startSlackBot({ SLACK_ALLOWED_CHANNELS: 'C0GENERAL' });
  const outside = mentionEvent('hello', { channel: 'C0OTHER' });
  await t.sender.event(outside);
  const ephemeral = await t.slack.waitForCall((c) => c.method === 'chat.postEphemeral');
  expect(ephemeral.args).toMatchObject({ channel: 'C0OTHER', user: 'U0ALICE', text: 'Sorry, I am not enabled here.' });

  const inside = mentionEvent('hello');
  await t.sender.event(inside);
  await finalAnswer(t.slack, inside.ts);
  expect(t.upstream.requests).toHaveLength(1);
  expect(t.slack.messages.filter((m) => m.channel === 'C0OTHER')).toHaveLength(0);
});

test('a follow-up without a mention, in a thread the bot cannot check while its store is down, is told the memory store is unavailable', async () => {
  // A thread from before a restart: this process has not seen it, so only the store could say it is the bot's.
  const threadTs = userTs();
  await t.bot.store.close();
  await t.sender.event(messageEvent('and what about tomorrow?', { threadTs }));
  const notice = toMrkdwn(userText.storeUnavailable);
  await t.slack.waitForCall(() => t.slack.thread(CHANNEL, threadTs).some((m) => m.text === notice));
  expect(t.upstream.requests).toHaveLength(0);
});
