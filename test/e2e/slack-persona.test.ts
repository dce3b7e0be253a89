/**
 * Slack `/persona` end to end through the real Bolt: set on a channel by a
 * workspace admin (or someone in SLACK_ADMIN_USERS), shown to anyone (also in
 * `/model`'s reply), used as the system prompt with its placeholders filled,
 * cleared, refused privately to everyone else, and capped at 4,000 characters.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { formatDate } from '../../src/conversation/system-prompt.ts';
import { userTextIn } from '../../src/user-text.ts';
import { ADMIN_USER, CHANNEL, finalAnswer, mentionEvent, OTHER_USER, startSlackBot, USER, type SlackBotUnderTest } from '../fakes/slack/harness.ts';

const userText = userTextIn('en');

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Runs a slash command as `user` in `CHANNEL`; resolves with the reply Bolt acked with. */
async function command(bot: SlackBotUnderTest, name: '/persona' | '/model', text: string, user = USER) {
  const reply = await bot.sender.command(name, text, { channel: CHANNEL, user, responseUrl: bot.slack.responseUrl('cmd') });
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as { response_type: string; text: string };
}

/** Mentions the bot; resolves with the system prompt its answer was asked with. */
async function systemPrompt(bot: SlackBotUnderTest, question: string) {
  const event = mentionEvent(question);
  await bot.sender.event(event);
  await finalAnswer(bot.slack, event.ts);
  return bot.upstream.requests.at(-1)?.body.messages[0]?.content;
}

test('/persona set by a workspace admin is shown, used with {date} filled, listed by /model, and cleared', async () => {
  const bot = (t = await startSlackBot({ TZ: 'UTC' }));
  // As Slack sends what was typed: `&`, `<` and `>` as entities (all text in Slack is escaped alike).
  const pirate = 'You are a pirate in {channel}. Today is {date}.\nSay "arr" &amp; never &lt;!channel&gt;.';

  expect(await command(bot, '/persona', pirate, ADMIN_USER)).toEqual({ response_type: 'in_channel', text: toMrkdwn(userText.personaSet('channel')) });
  // Anyone may look: the persona whole, quoted line by line, with nothing in it able to ping.
  expect(await command(bot, '/persona', '')).toEqual({
    response_type: 'ephemeral',
    text: `${toMrkdwn(userText.personaHere)}\n>You are a pirate in {channel}. Today is {date}.\n>Say "arr" &amp; never &lt;!channel&gt;.`,
  });
  expect((await command(bot, '/model', '')).text).toContain('Persona: You are a pirate in {channel}.');

  const before = formatDate(Date.now(), 'UTC');
  const prompt = await systemPrompt(bot, 'ahoy?');
  const after = formatDate(Date.now(), 'UTC');
  expect([before, after].map((date) => `You are a pirate in #general. Today is ${date}.\nSay "arr" & never <!channel>.`)).toContain(prompt);

  expect(await command(bot, '/persona', 'clear', ADMIN_USER)).toEqual({ response_type: 'in_channel', text: toMrkdwn(userText.personaCleared('channel')) });
  expect(await command(bot, '/persona', '')).toEqual({ response_type: 'ephemeral', text: toMrkdwn(userText.personaNoneSlack) });
  expect(await systemPrompt(bot, 'and now?')).toMatch(/^You are Gemini, a helpful assistant/);
});

test('/persona is refused, privately, to someone who is not an admin, and nothing changes', async () => {
  const bot = (t = await startSlackBot());
  const refusal = { response_type: 'ephemeral', text: toMrkdwn(userText.personaNeedsAdmin) };
  expect(await command(bot, '/persona', 'You are a cat.', OTHER_USER)).toEqual(refusal);
  expect(await command(bot, '/persona', 'clear', OTHER_USER)).toEqual(refusal);
  expect(await command(bot, '/persona', '', OTHER_USER)).toEqual({ response_type: 'ephemeral', text: toMrkdwn(userText.personaNoneSlack) });
  expect(await systemPrompt(bot, 'meow?')).toMatch(/^You are Gemini, a helpful assistant/);
});

test('someone in SLACK_ADMIN_USERS may set it; a persona over 4,000 characters is refused with the reason', async () => {
  const bot = (t = await startSlackBot({ SLACK_ADMIN_USERS: OTHER_USER }));
  expect(await command(bot, '/persona', 'x'.repeat(4500), OTHER_USER)).toEqual({ response_type: 'ephemeral', text: toMrkdwn(userText.personaTooLong(4500, 4000)) });
  expect(await command(bot, '/persona', 'You are terse.', OTHER_USER)).toMatchObject({ response_type: 'in_channel' });
  expect(await systemPrompt(bot, 'hi')).toBe('You are terse.');
});
