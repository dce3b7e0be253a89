/**
 * End to end through the real Bolt: Regenerate, an edited question the answer
 * follows, 👍/👎 stored and counted, and the "Ask Gemini about this" shortcut.
 * What people see in the fake Slack, what the model was sent, what history holds.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { userTextIn } from '../../src/user-text.ts';
import {
  answerMessages,
  blockAction,
  buttonValue,
  CHANNEL,
  feedbackButton,
  finalAnswer,
  isFinal,
  mentionEvent,
  messageChangedEvent,
  messageEvent,
  messageShortcut,
  OTHER_USER,
  startSlackBot,
  USER,
  type SlackBotUnderTest,
} from '../fakes/slack/harness.ts';
import type { FakeSlackMessage, SlackCall } from '../fakes/slack/server.ts';
import { textOf } from '../fakes/discord/read.ts';
import { answerTranscript } from '../fakes/upstream.ts';
import { freePort } from '../support/free-port.ts';

const userText = userTextIn('en');

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const conversation = (threadTs: string, channel = CHANNEL) => `slack:T0001:${channel}:${threadTs}`;
const stored = async (bot: SlackBotUnderTest, threadTs: string, channel = CHANNEL) =>
  (await new HistoryStore(bot.bot.store.keyv('history')).load(conversation(threadTs, channel))).messages;
const said = (bot: SlackBotUnderTest, n: number) => bot.upstream.requests[n]?.body.messages.slice(1);

/** Alice mentions the bot; resolves once her answer is final, with its messages. */
async function asked(bot: SlackBotUnderTest, text: string) {
  const question = mentionEvent(text);
  await bot.sender.event(question);
  await finalAnswer(bot.slack, question.ts);
  await bot.settled();
  return { question, answer: answerMessages(bot.slack, question.ts) };
}

const pressRegenerate = (bot: SlackBotUnderTest, message: FakeSlackMessage, user = USER) =>
  bot.sender.interaction(blockAction(bot.slack, message, { type: 'button', action_id: 'regenerate', block_id: 'answer_final', value: buttonValue(message, 'regenerate') }, { user }));

const pressVote = (bot: SlackBotUnderTest, message: FakeSlackMessage, rating: 'up' | 'down', user = USER) =>
  bot.sender.interaction(blockAction(bot.slack, message, { type: 'feedback_buttons', action_id: 'feedback', ...feedbackButton(message, rating) }, { user }));

/** The final write that shows `text` in the thread (a chat.update or a post, with the answer's controls). */
const finalWriteOf = (bot: SlackBotUnderTest, threadTs: string, text: string) =>
  bot.slack.waitForCall(() => answerMessages(bot.slack, threadTs).some((m) => isFinal(m) && m.text.includes(toMrkdwn(text))));

const ephemerals = (bot: SlackBotUnderTest) => bot.slack.calls.filter((c: SlackCall) => c.method === 'chat.postEphemeral');

test('Regenerate sends the same question again and rewrites the answer in its own message; history holds one exchange', async () => {
  const bot = (t = await startSlackBot());
  const { question, answer } = await asked(bot, 'what is a monad?');
  expect(answer).toHaveLength(1);
  bot.upstream.script({ type: 'answer', text: 'A monad chains steps.' });
  await pressRegenerate(bot, answer[0]!);
  await finalWriteOf(bot, question.ts, 'A monad chains steps.');
  await bot.settled();

  expect(said(bot, 1)).toEqual(said(bot, 0));
  expect(answerMessages(bot.slack, question.ts).map((m) => m.ts)).toEqual([answer[0]!.ts]);
  expect((await stored(bot, question.ts)).map((m) => [m.role, m.text])).toEqual([
    ['user', 'what is a monad?'],
    ['assistant', 'A monad chains steps.'],
  ]);
});

test('a split answer regenerated into a shorter one keeps its first message and deletes the rest', async () => {
  const bot = (t = await startSlackBot());
  bot.upstream.script({ type: 'answer', text: Array.from({ length: 300 }, (_, i) => `Sentence ${i} of a long answer.`).join(' '), chunkSize: 2000 });
  const { question, answer } = await asked(bot, 'tell me everything');
  expect(answer.length).toBeGreaterThanOrEqual(2);
  expect(answer.map(isFinal)).toEqual(answer.map((_, i) => i === answer.length - 1));

  bot.upstream.script({ type: 'answer', text: 'In short: all is well.' });
  await pressRegenerate(bot, answer.at(-1)!);
  await finalWriteOf(bot, question.ts, 'In short: all is well.');
  await bot.settled();
  expect(answerMessages(bot.slack, question.ts).map((m) => m.ts)).toEqual([answer[0]!.ts]);
  expect(bot.slack.calls.filter((c) => c.method === 'chat.delete').map((c) => c.args.ts)).toEqual(answer.slice(1).map((m) => m.ts));
});

test('Regenerate pressed by another member is refused privately; an admin may press it', async () => {
  const bot = (t = await startSlackBot());
  const { question, answer } = await asked(bot, 'my question');
  await pressRegenerate(bot, answer[0]!, OTHER_USER);
  const refusal = await bot.slack.waitForCall((c) => c.method === 'chat.postEphemeral');
  expect(refusal.args).toMatchObject({ user: OTHER_USER, thread_ts: question.ts, text: toMrkdwn(userText.onlyAskerMay('regenerate', userText.answerModerators.slack)) });
  expect(bot.upstream.requests).toHaveLength(1);

  bot.upstream.script({ type: 'answer', text: 'Regenerated by an admin.' });
  await pressRegenerate(bot, answer[0]!, 'U0ADMIN');
  await finalWriteOf(bot, question.ts, 'Regenerated by an admin.');
});

test('only the newest answer of a thread can be regenerated: an older one says why, privately', async () => {
  const bot = (t = await startSlackBot());
  const { question, answer } = await asked(bot, 'first');
  bot.upstream.script({ type: 'answer', text: 'Second answer.' });
  await bot.sender.event(messageEvent('second', { threadTs: question.ts }));
  await finalAnswer(bot.slack, question.ts, { nth: 2 });
  await pressRegenerate(bot, answer[0]!);
  const told = await bot.slack.waitForCall((c) => c.method === 'chat.postEphemeral');
  expect(told.args).toMatchObject({ user: USER, text: toMrkdwn(userText.regenerateRefused['not-newest']) });
  expect(bot.upstream.requests).toHaveLength(2);
});

test('an edit to the newest question answers it again; an edit to an older one changes nothing and says so once; a link preview is no edit', async () => {
  const bot = (t = await startSlackBot());
  const first = mentionEvent('what is the capitol of France?');
  await bot.sender.event(first);
  await finalAnswer(bot.slack, first.ts);
  bot.upstream.script({ type: 'answer', text: 'Paris.' });
  await bot.sender.event(messageChangedEvent(first, '<@UBOT> what is the capital of France?'));
  await finalWriteOf(bot, first.ts, 'Paris.');
  expect(said(bot, 1)?.at(-1)).toEqual({ role: 'user', content: 'what is the capital of France?' });
  expect(answerMessages(bot.slack, first.ts)).toHaveLength(1);

  bot.upstream.script({ type: 'answer', text: 'Rome.' });
  const followUp = messageEvent('and of Italy?', { threadTs: first.ts });
  await bot.sender.event(followUp);
  await finalAnswer(bot.slack, first.ts, { nth: 2 });
  await bot.settled();
  await bot.sender.event(messageChangedEvent(followUp, 'and of Italy?', { unfurl: true }));
  const older = { ...first, text: '<@UBOT> what is the capital of France?' };
  await bot.sender.event(messageChangedEvent(older, '<@UBOT> what is the capital of Spain?'));
  await bot.slack.waitForCall((c) => c.method === 'chat.postEphemeral');
  await bot.sender.event(messageChangedEvent(older, '<@UBOT> what is the capital of Portugal?'));
  // A question in another thread afterwards is answered in full: the second edit was long since passed over.
  const sentinel = mentionEvent('and now something else');
  await bot.sender.event(sentinel);
  await finalAnswer(bot.slack, sentinel.ts);
  await bot.settled();

  expect(bot.upstream.requests).toHaveLength(4);
  expect(ephemerals(bot).map((c) => [c.args.user, c.args.thread_ts, c.args.text])).toEqual([[USER, first.ts, toMrkdwn(userText.editNotFollowed('not-newest', 10))]]);
  expect((await stored(bot, first.ts)).filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['what is the capital of France?', 'and of Italy?']);
});

test('👍 and 👎 are stored with the answer, acknowledged privately and counted in /metrics by model; a second press changes the vote', async () => {
  const port = await freePort();
  const bot = (t = await startSlackBot({ HEALTH_PORT: String(port) }));
  const { question, answer } = await asked(bot, 'rate me');
  const message = answer[0]!;
  await pressVote(bot, message, 'up');
  await bot.slack.waitForCall((c) => c.method === 'chat.postEphemeral' && c.args.text === toMrkdwn(userText.feedbackRecorded('up', 'new')));
  await pressVote(bot, message, 'down');
  await bot.slack.waitForCall((c) => c.method === 'chat.postEphemeral' && c.args.text === toMrkdwn(userText.feedbackRecorded('down', 'changed')));
  expect(ephemerals(bot).every((c) => c.args.user === USER && c.args.thread_ts === question.ts)).toBe(true);

  const rated = (await stored(bot, question.ts)).at(-1);
  expect(rated?.role === 'assistant' && rated.feedback).toEqual({ [USER]: 'down' });
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toMatch(/bot_feedback_total\{model="gemini-2.5-pro",rating="up"\} 1/);
  expect(metrics).toMatch(/bot_feedback_total\{model="gemini-2.5-pro",rating="down"\} 1/);
  expect(metrics).toMatch(/bot_feedback_retracted_total\{model="gemini-2.5-pro",rating="up"\} 1/);
});

test('with native streaming the answer ends with Regenerate and feedback_buttons in a context_actions block, and Regenerate rewrites it', async () => {
  const bot = (t = await startSlackBot({ SLACK_STREAMING: 'native' }));
  const question = mentionEvent('stream it');
  await bot.sender.event(question);
  const stopped = await bot.slack.waitForCall((c) => c.method === 'chat.stopStream' && Array.isArray(c.args.blocks));
  const blocks = stopped.args.blocks as { type: string; elements?: { type: string; action_id?: string }[] }[];
  expect(blocks.find((b) => b.type === 'context_actions')?.elements?.map((e) => e.type)).toEqual(['feedback_buttons']);
  expect(blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id)).toContain('regenerate');
  await bot.settled();

  const streamed = bot.slack.messages.find((m) => m.ts === stopped.args.ts)!;
  bot.upstream.script({ type: 'answer', text: 'A streamed answer, again.' });
  await pressRegenerate(bot, streamed);
  await bot.slack.waitForCall(
    (c) => c.method === 'chat.update' && c.args.ts === streamed.ts && String(c.args.text).includes('A streamed answer, again.') && JSON.stringify(c.args.blocks).includes('feedback_buttons'),
  );
});

test('with native streaming a regeneration streams by chat.update into the old message, and shows Stop while it streams', async () => {
  const bot = (t = await startSlackBot({ SLACK_STREAMING: 'native' }));
  const question = mentionEvent('stream it');
  await bot.sender.event(question);
  const stopped = await bot.slack.waitForCall((c) => c.method === 'chat.stopStream' && Array.isArray(c.args.blocks));
  await bot.settled();
  const streamed = bot.slack.messages.find((m) => m.ts === stopped.args.ts)!;

  // A new answer that starts and then keeps the connection open: it streams until stopped.
  bot.upstream.script({ type: 'hang', pieces: answerTranscript({ type: 'answer', text: 'A second take, still going' }).slice(0, 2) });
  await pressRegenerate(bot, streamed);
  const showsStop = (c: SlackCall) => c.method === 'chat.update' && c.args.ts === streamed.ts && JSON.stringify(c.args.blocks).includes('"action_id":"stop"');
  await bot.slack.waitForCall(showsStop);
  const live = bot.slack.messages.find((m) => m.ts === streamed.ts)!;
  await bot.sender.interaction(blockAction(bot.slack, live, { type: 'button', action_id: 'stop', block_id: 'answer_live', value: buttonValue(live, 'stop') }));
  await finalWriteOf(bot, question.ts, 'A second take, still going');
  await bot.settled();

  // One native stream (the first answer); the regeneration's writes all went by chat.update.
  expect(bot.slack.calls.filter((c) => c.method === 'chat.startStream')).toHaveLength(1);
  expect(answerMessages(bot.slack, question.ts).map((m) => m.ts)).toEqual([streamed.ts]);
});

test('the "Ask Gemini about this" shortcut opens the conversation in the message\'s thread, whose first question carries the message and its author', async () => {
  const bot = (t = await startSlackBot());
  const target = { ts: '1800000100.000001', user: OTHER_USER, text: 'The deploy failed again, <@U0ALICE> can you look?' };
  bot.upstream.script({ type: 'answer', text: 'Bob says the deploy failed.' });
  await bot.sender.interaction(messageShortcut(bot.slack, target));
  await finalWriteOf(bot, target.ts, 'Bob says the deploy failed.');

  const opener = bot.slack.thread(CHANNEL, target.ts)[0];
  expect(opener?.text).toBe(toMrkdwn(userText.askAboutOpener('alice')));
  const sent = bot.upstream.requests[0]?.body.messages.slice(1).map((m) => textOf(m.content));
  expect(sent).toEqual(['[bob]: The deploy failed again, @alice can you look?', `[alice]: ${userText.askAboutQuestion}`]);

  // The thread is the bot's now: a follow-up there needs no mention.
  bot.upstream.script({ type: 'answer', text: 'Check the build.' });
  await bot.sender.event(messageEvent('what do I check?', { threadTs: target.ts }));
  await finalWriteOf(bot, target.ts, 'Check the build.');
});

test('the shortcut on a message where the bot may not write answers in a DM with the person who asked', async () => {
  const bot = (t = await startSlackBot());
  bot.slack.notInChannel('C0PRIVATE');
  const target = { ts: '1800000200.000001', user: OTHER_USER, text: 'We ship on Friday' };
  bot.upstream.script({ type: 'answer', text: 'Bob plans to ship on Friday.' });
  await bot.sender.interaction(messageShortcut(bot.slack, target, { channel: 'C0PRIVATE' }));

  const open = await bot.slack.waitForCall((c) => c.method === 'conversations.open');
  expect(open.args.users).toBe(USER);
  const opener = await bot.slack.waitForCall((c) => c.method === 'chat.postMessage' && c.args.channel === 'D0ALICE' && c.status === 200 && c.error === undefined);
  const dmThread = bot.slack.messages.find((m) => m.channel === 'D0ALICE' && m.threadTs === undefined)!;
  expect(opener.args.text).toContain('We ship on Friday');
  await bot.slack.waitForCall(() => answerMessages(bot.slack, dmThread.ts, 'D0ALICE').some((m) => isFinal(m) && m.text.includes('Bob plans')));
  expect(bot.slack.messages.filter((m) => m.channel === 'C0PRIVATE')).toEqual([]);
});
