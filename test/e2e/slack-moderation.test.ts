/**
 * Who may act on an answer in Slack: Stop and New conversation belong to the
 * person who asked, to workspace admins and owners (users.info) and to people in
 * SLACK_ADMIN_USERS; anyone else gets a private notice and nothing happens.
 * A channel's default model (`/model`) is for those admins only.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { userTextIn } from '../../src/user-text.ts';
import {
  ADMIN_USER,
  blockAction,
  buttonValue,
  CHANNEL,
  finalAnswer,
  isFinal,
  isLive,
  mentionEvent,
  OTHER_USER,
  startSlackBot,
  USER,
  type SlackBotUnderTest,
} from '../fakes/slack/harness.ts';
import type { FakeSlackMessage } from '../fakes/slack/server.ts';

const userText = userTextIn('en');

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Alice asks; resolves with her finished answer and its conversation id. */
async function aliceAnswered(bot: SlackBotUnderTest): Promise<{ answer: FakeSlackMessage; conversationId: string; threadTs: string }> {
  const question = mentionEvent('remember the number 42');
  await bot.sender.event(question);
  await finalAnswer(bot.slack, question.ts);
  await bot.settled();
  const answer = bot.slack.thread(CHANNEL, question.ts).find(isFinal);
  if (!answer) throw new Error('no final answer');
  return { answer, conversationId: `slack:T0001:${CHANNEL}:${question.ts}`, threadTs: question.ts };
}

const press = (bot: SlackBotUnderTest, message: FakeSlackMessage, actionId: 'stop' | 'new_conversation', user: string) =>
  bot.sender.interaction(
    blockAction(bot.slack, message, { type: 'button', action_id: actionId, block_id: isLive(message) ? 'answer_live' : 'answer_final', value: buttonValue(message, actionId) }, { user }),
  );

const notice = (action: 'stop' | 'reset') => toMrkdwn(userText.onlyAskerMay(action, userText.answerModerators.slack));

test("New conversation pressed by someone else is refused privately and the thread keeps its memory; an admin's press resets it", async () => {
  const bot = (t = await startSlackBot());
  const { answer, conversationId, threadTs } = await aliceAnswered(bot);

  await press(bot, answer, 'new_conversation', OTHER_USER);
  const refusal = await bot.slack.waitForCall((c) => c.method === 'chat.postEphemeral');
  expect(refusal.args).toMatchObject({ channel: CHANNEL, user: OTHER_USER, thread_ts: threadTs, text: notice('reset') });
  expect(await bot.bot.core.hasHistory(conversationId)).toBe(true);
  expect(bot.slack.thread(CHANNEL, threadTs).some((m) => m.text.includes('reset'))).toBe(false);

  await press(bot, answer, 'new_conversation', ADMIN_USER);
  await bot.slack.waitForCall((c) => c.method === 'chat.postMessage' && c.args.text === toMrkdwn(userText.resetDone));
  expect(await bot.bot.core.hasHistory(conversationId)).toBe(false);
  // Admin status comes from users.info (with the locale, for later use), asked once per person: the
  // asker's was asked for her name when she asked, the bot's own at start-up.
  const lookups = bot.slack.calls.filter((c) => c.method === 'users.info');
  expect(lookups.map((c) => [c.args.user, c.args.include_locale])).toEqual([
    [bot.slack.botUserId, 'true'],
    [USER, 'true'],
    [OTHER_USER, 'true'],
    [ADMIN_USER, 'true'],
  ]);
});

test('SLACK_ADMIN_USERS may start anyone’s thread afresh without users.info', async () => {
  const bot = (t = await startSlackBot({ SLACK_ADMIN_USERS: `U0NOBODY, ${OTHER_USER}` }));
  const { answer, conversationId } = await aliceAnswered(bot);
  await press(bot, answer, 'new_conversation', OTHER_USER);
  await bot.slack.waitForCall((c) => c.method === 'chat.postMessage' && c.args.text === toMrkdwn(userText.resetDone));
  expect(await bot.bot.core.hasHistory(conversationId)).toBe(false);
  // The presser is never looked up (the asker is, for her name).
  expect(bot.slack.calls.filter((c) => c.method === 'users.info' && c.args.user === OTHER_USER)).toEqual([]);
});

test('Stop pressed by someone else leaves the answer streaming and tells them privately; the asker can stop it', async () => {
  const bot = (t = await startSlackBot());
  bot.upstream.script({
    type: 'hang',
    pieces: [`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Counting: one, two' }, finish_reason: null }] })}\n\n`],
  });
  const question = mentionEvent('count forever');
  await bot.sender.event(question);
  await bot.slack.waitForCall(() => bot.slack.thread(CHANNEL, question.ts).some((m) => isLive(m) && m.text.includes('Counting')));
  const live = bot.slack.thread(CHANNEL, question.ts).find(isLive);
  if (!live) throw new Error('no live answer');

  await press(bot, live, 'stop', OTHER_USER);
  const refusal = await bot.slack.waitForCall((c) => c.method === 'chat.postEphemeral');
  expect(refusal.args).toMatchObject({ user: OTHER_USER, thread_ts: question.ts, text: notice('stop') });
  expect(bot.bot.core.activeTurns).toBe(1);
  expect(bot.slack.thread(CHANNEL, question.ts).some(isLive)).toBe(true);

  await press(bot, live, 'stop', USER);
  const text = await finalAnswer(bot.slack, question.ts);
  expect(text).toContain('Stopped');
});

test('/model for the channel from someone who is not an admin changes nothing and says who may; the listing has no picker for them', async () => {
  const bot = (t = await startSlackBot());
  const where = { channel: CHANNEL, user: USER, responseUrl: bot.slack.responseUrl('cmd') };
  const refused = JSON.parse((await bot.sender.command('/model', 'gemini-3.1-pro', where)).body) as { response_type: string; text: string };
  expect(refused).toEqual({ response_type: 'ephemeral', text: toMrkdwn(userText.channelModelNeedsAdmin) });

  const listing = JSON.parse((await bot.sender.command('/model', '', where)).body) as { text: string; blocks?: unknown[] };
  expect(listing.text).toContain('gemini-2.5-pro` (current)');
  expect(listing.text).toContain(toMrkdwn(userText.channelModelNeedsAdmin));
  expect(listing.blocks).toBeUndefined();

  const question = mentionEvent('which model?');
  await bot.sender.event(question);
  await finalAnswer(bot.slack, question.ts);
  expect(bot.upstream.requests[0]?.body.model).toBe('gemini-2.5-pro');
});

test("in a DM with the bot /model sets that DM's default: it is the person's own", async () => {
  const bot = (t = await startSlackBot());
  const reply = JSON.parse((await bot.sender.command('/model', 'gemini-3.1-pro', { channel: 'D0ALICE', user: USER, responseUrl: bot.slack.responseUrl('cmd') })).body);
  expect(reply).toMatchObject({ response_type: 'in_channel', text: toMrkdwn(userText.modelSetForChannel('gemini-3.1-pro')) });
});
