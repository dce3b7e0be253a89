/**
 * End to end through the real Bolt: the bot called into a Slack thread of people
 * talking reads it (conversations.replies), names who said what by the names
 * people see (users.info), counts its own earlier messages as its answers, and
 * sends each earlier message once across turns; the system prompt's date and
 * place are filled for Slack.
 */
import { afterEach, expect, test } from 'vitest';
import { formatDate } from '../../src/conversation/system-prompt.ts';
import { CHANNEL, finalAnswer, mentionEvent, messageEvent, OTHER_USER, startSlackBot, USER, userTs, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import type { ReceivedRequest } from '../fakes/upstream.ts';

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

type Content = ReceivedRequest['body']['messages'][number]['content'];
const textOf = (content: Content) => (typeof content === 'string' ? content : content.flatMap((p) => (p.type === 'text' ? [p.text ?? ''] : [])).join('\n'));

/** The `[role, text]` of each message the model was sent in request `i`, the system prompt left out. */
const sent = (bot: SlackBotUnderTest, i: number) =>
  (bot.upstream.requests[i]?.body.messages ?? []).filter((m) => m.role !== 'system').map((m) => [m.role, textOf(m.content)]);

/** A message someone posted in `CHANNEL` before the bot was called: the thread's parent when `threadTs` is left out. */
function say(bot: SlackBotUnderTest, who: string, text: string, threadTs?: string): string {
  const ts = userTs();
  bot.slack.threads.add({ channel: CHANNEL, ts, threadTs: threadTs ?? ts, user: who, text });
  return ts;
}

/** Bob and Alice plan a release in a thread, where the bot once said something; then Alice calls the bot in. */
async function releaseThread(bot: SlackBotUnderTest) {
  const root = say(bot, OTHER_USER, 'Release plan for Friday');
  say(bot, USER, 'I can do the deploy', root);
  bot.slack.threads.add({ channel: CHANNEL, ts: userTs(), threadTs: root, user: bot.slack.botUserId, botId: bot.slack.botId, text: 'Noted: Alice deploys.' });
  say(bot, OTHER_USER, 'who checks the changelog?', root);
  bot.upstream.script({ type: 'answer', text: 'Nobody checks the changelog yet.' });
  await bot.sender.event(mentionEvent('summarize', { threadTs: root }));
  await finalAnswer(bot.slack, root);
  return root;
}

const THREAD_SO_FAR = [
  ['user', '[bob]: Release plan for Friday'],
  ['user', '[alice]: I can do the deploy'],
  ['assistant', 'Noted: Alice deploys.'],
  ['user', '[bob]: who checks the changelog?'],
  ['user', '[alice]: summarize'],
];

test('a mention in a thread of 3 messages by 2 people carries them oldest first, each named, and the bot’s own earlier message as its answer', async () => {
  const bot = (t = await startSlackBot());
  const root = await releaseThread(bot);
  expect(sent(bot, 0)).toEqual(THREAD_SO_FAR);
  const reads = bot.slack.calls.filter((c) => c.method === 'conversations.replies');
  expect(reads.map((c) => [c.args.channel, c.args.ts, c.args.limit])).toEqual([[CHANNEL, root, '200']]);
});

test('a later mention in that thread carries each earlier message once, and what was said since', async () => {
  const bot = (t = await startSlackBot({ SLACK_FOLLOWUPS_WITHOUT_MENTION: 'false' }));
  const root = await releaseThread(bot);
  // Not addressed to the bot: no answer, but it is in the thread for the next read.
  await bot.sender.event(messageEvent('changelog done', { threadTs: root, extra: { user: OTHER_USER } }));
  await bot.sender.event(mentionEvent('anything left?', { threadTs: root }));
  await finalAnswer(bot.slack, root, { nth: 2 });
  expect(sent(bot, 1)).toEqual([
    ...THREAD_SO_FAR,
    ['assistant', 'Nobody checks the changelog yet.'],
    ['user', '[bob]: changelog done'],
    ['user', '[alice]: anything left?'],
  ]);
  expect(bot.upstream.requests).toHaveLength(2);
});

test('a follow-up without a mention in a read-in thread does not read the question or the answer before it again', async () => {
  const bot = (t = await startSlackBot());
  const root = await releaseThread(bot);
  await bot.sender.event(messageEvent('and who deploys?', { threadTs: root }));
  await finalAnswer(bot.slack, root, { nth: 2 });
  expect(sent(bot, 1)).toEqual([...THREAD_SO_FAR, ['assistant', 'Nobody checks the changelog yet.'], ['user', '[alice]: and who deploys?']]);
});

test('one person talking is not named: a thread of one’s own', async () => {
  const bot = (t = await startSlackBot());
  const root = say(bot, USER, 'my build log: Killed (OOM)');
  await bot.sender.event(mentionEvent('why?', { threadTs: root }));
  await finalAnswer(bot.slack, root);
  expect(sent(bot, 0)).toEqual([
    ['user', 'my build log: Killed (OOM)'],
    ['user', 'why?'],
  ]);
});

test('two people in the bot’s own thread are told apart by their names, not their ids', async () => {
  const bot = (t = await startSlackBot());
  bot.slack.addUser({ id: OTHER_USER, name: 'bob', realName: 'Bob Builder', displayName: 'Bob' });
  const question = mentionEvent('what is 2+2?');
  await bot.sender.event(question);
  await finalAnswer(bot.slack, question.ts);
  expect(sent(bot, 0)).toEqual([['user', 'what is 2+2?']]);

  bot.upstream.script({ type: 'answer', text: 'Also 4.' });
  await bot.sender.event(messageEvent('and 2*2?', { threadTs: question.ts, extra: { user: OTHER_USER } }));
  await finalAnswer(bot.slack, question.ts, { nth: 2 });
  const second = sent(bot, 1);
  expect(second[0]).toEqual(['user', '[alice]: what is 2+2?']);
  expect(second.at(-1)).toEqual(['user', '[Bob]: and 2*2?']);
  // The bot started this thread: everything in it reached the bot, nothing is read.
  expect(bot.slack.calls.filter((c) => c.method === 'conversations.replies')).toEqual([]);
});

test('SYSTEM_PROMPT’s {date}, {platform}, {channel} and {bot_name} are filled for a Slack turn', async () => {
  const bot = (t = await startSlackBot({ SYSTEM_PROMPT: 'Today is {date}. You are {bot_name} on {platform} in {channel}.', TZ: 'UTC' }));
  const before = formatDate(Date.now(), 'UTC');
  const question = mentionEvent('what day is it?');
  await bot.sender.event(question);
  await finalAnswer(bot.slack, question.ts);
  const after = formatDate(Date.now(), 'UTC');
  const prompt = bot.upstream.requests[0]?.body.messages[0];
  expect(prompt?.role).toBe('system');
  // The turn ran between the two readings of the clock: its date is one of them (they differ only across midnight).
  expect([before, after].map((date) => `Today is ${date}. You are Gemini on Slack in #general.`)).toContain(prompt?.content);

  const dm = messageEvent('and here?', { channel: 'D0ALICE', channelType: 'im' });
  await bot.sender.event(dm);
  await finalAnswer(bot.slack, dm.ts, { channel: 'D0ALICE' });
  expect(bot.upstream.requests[1]?.body.messages[0]?.content).toMatch(/You are Gemini on Slack in a direct message\.$/);
});

test('past CONTEXT_MAX_MESSAGES the newest earlier messages are read, and the answer says older ones were left out', async () => {
  const bot = (t = await startSlackBot({ CONTEXT_MAX_MESSAGES: '2' }));
  const root = say(bot, OTHER_USER, 'one');
  say(bot, USER, 'two', root);
  say(bot, OTHER_USER, 'three', root);
  say(bot, USER, 'four', root);
  await bot.sender.event(mentionEvent('sum up', { threadTs: root }));
  const answer = await finalAnswer(bot.slack, root);
  expect(sent(bot, 0)).toEqual([
    ['user', '[bob]: three'],
    ['user', '[alice]: four'],
    ['user', '[alice]: sum up'],
  ]);
  expect(answer).toContain('I read only its newest messages');
});

test('without the history scope the answer says it could not read the thread, and still answers the question', async () => {
  const bot = (t = await startSlackBot());
  const root = say(bot, OTHER_USER, 'secret plans');
  bot.slack.fail('conversations.replies', 1, { type: 'error', error: 'missing_scope' });
  await bot.sender.event(mentionEvent('what did Bob say?', { threadTs: root }));
  const answer = await finalAnswer(bot.slack, root);
  expect(sent(bot, 0)).toEqual([['user', 'what did Bob say?']]);
  expect(answer).toContain('I am not allowed to read the earlier messages here');
});
