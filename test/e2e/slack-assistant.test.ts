/**
 * Slack's assistant experience (`assistant_view`) end to end: the real Bolt against the
 * fake Slack declaring an assistant app, and the fake upstream. The bot starts on
 * SLACK_AI_EXPERIENCE=auto, which takes the agent experience until Slack sends an
 * assistant thread.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { userTextIn } from '../../src/user-text.ts';
import { assistantThreadStarted, DM } from '../fakes/slack/ai-events.ts';
import { answerMessages, blockAction, buttonValue, finalAnswer, isFinal, isLive, messageEvent, startSlackBot, userTs, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import type { SlackCall } from '../fakes/slack/server.ts';
import { answerTranscript, fixtureAnswer } from '../fakes/upstream.ts';

const userText = userTextIn('en');

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const assistantBot = (env: Record<string, string> = {}) => startSlackBot({ SLACK_AI_EXPERIENCE: 'auto', ...env }, { fake: { app: 'assistant' } });
/** A status Slack took (not one it answered with 429). */
const isStatus = (c: SlackCall) => c.method === 'assistant.threads.setStatus' && c.status === 200 && c.error === undefined;

/** Opens an assistant thread and waits until the bot offered its prompts there. */
async function openThread(bot: SlackBotUnderTest): Promise<string> {
  const root = userTs();
  await bot.sender.event(assistantThreadStarted(root));
  await bot.slack.waitForCall((c) => c.method === 'assistant.threads.setSuggestedPrompts' && c.args.thread_ts === root);
  return root;
}

test('a new assistant thread is offered the four default prompts', async () => {
  t = await assistantBot();
  const root = userTs();
  await t.sender.event(assistantThreadStarted(root));
  const call = await t.slack.waitForCall((c) => c.method === 'assistant.threads.setSuggestedPrompts');
  expect(call.error).toBeUndefined();
  expect(call.args).toMatchObject({ channel_id: DM, thread_ts: root });
  expect(t.slack.assistantThread(DM, root).prompts).toEqual({ title: userText.suggestedPromptsTitle, prompts: userText.suggestedPrompts });
});

test("a zh-CN user's assistant thread gets the prompts, and its answers the thinking status, in Simplified Chinese", async () => {
  t = await assistantBot();
  t.slack.addUser({ id: 'U0WEI', name: 'wei', locale: 'zh-CN' });
  const zhCN = userTextIn('zh-CN');
  const root = userTs();
  await t.sender.event(assistantThreadStarted(root, { user: 'U0WEI' }));
  await t.slack.waitForCall((c) => c.method === 'assistant.threads.setSuggestedPrompts' && c.args.thread_ts === root);
  expect(t.slack.assistantThread(DM, root).prompts).toEqual({ title: '试试这样问', prompts: zhCN.suggestedPrompts });
  await t.sender.event({ ...messageEvent('天空为什么是蓝色的？', { channel: DM, channelType: 'im', threadTs: root }), user: 'U0WEI' });
  await finalAnswer(t.slack, root, { channel: DM });
  expect(t.slack.calls.filter(isStatus).map((c) => c.args.status)[0]).toBe('正在思考…');
});

test('SLACK_SUGGESTED_PROMPTS replaces the default prompts', async () => {
  t = await assistantBot({ SLACK_SUGGESTED_PROMPTS: 'Standup|Write my standup from the notes I paste next;;Translate|Translate my next message into German' });
  const root = await openThread(t);
  expect(t.slack.assistantThread(DM, root).prompts?.prompts).toEqual([
    { title: 'Standup', message: 'Write my standup from the notes I paste next' },
    { title: 'Translate', message: 'Translate my next message into German' },
  ]);
});

test('a question in an assistant thread is answered without a mention: thinking status until the answer starts, then cleared; the thread titled after it', async () => {
  t = await assistantBot();
  const root = await openThread(t);
  const question = messageEvent('Why is the sky blue, in two sentences?', { channel: DM, channelType: 'im', threadTs: root });
  await t.sender.event(question);

  expect(await finalAnswer(t.slack, root, { channel: DM })).toContain(toMrkdwn(fixtureAnswer()));
  expect(t.upstream.requests[0]?.body.messages.at(-1)).toEqual({ role: 'user', content: 'Why is the sky blue, in two sentences?' });
  await t.slack.waitForCall((c) => isStatus(c) && c.args.status === '');
  const thread = t.slack.assistantThread(DM, root);
  expect(thread.statuses[0]).toBe(userText.assistantThinking(undefined));
  expect(thread.statuses.at(-1)).toBe('');
  expect(thread.title).toBe('Why is the sky blue, in two sentences?');
  // The status went up before the first words of the answer reached Slack.
  const firstWords = toMrkdwn(fixtureAnswer()).slice(0, 6);
  const thinkingAt = t.slack.calls.findIndex((c) => isStatus(c) && c.args.status !== '');
  const answerAt = t.slack.calls.findIndex((c) => String(c.args.text ?? c.args.markdown_text ?? '').includes(firstWords));
  expect(thinkingAt).toBeGreaterThanOrEqual(0);
  expect(thinkingAt).toBeLessThan(answerAt);
  // Paced within Slack's limit: no status call was turned away.
  expect(t.slack.calls.filter((c) => c.method === 'assistant.threads.setStatus' && c.status === 429)).toEqual([]);

  // A second question: answered, and the title stays the first question's.
  await t.sender.event(messageEvent('And at sunset?', { channel: DM, channelType: 'im', threadTs: root }));
  await finalAnswer(t.slack, root, { channel: DM, nth: 2 });
  expect(t.slack.calls.filter((c) => c.method === 'assistant.threads.setTitle')).toHaveLength(1);
});

test('in status mode the status line shows the latest reasoning heading, and is cleared when the answer ends without text', async () => {
  t = await assistantBot({ REASONING_DISPLAY: 'status' });
  const root = await openThread(t);
  const transcript = answerTranscript({ type: 'answer', text: '', reasoning: '**Checking the map**\n\nLooking.' });
  t.upstream.script({ type: 'hang', pieces: transcript.slice(0, 2) });
  await t.sender.event(messageEvent('Where is Timbuktu?', { channel: DM, channelType: 'im', threadTs: root }));

  await t.slack.waitForCall((c) => isStatus(c) && c.args.status === userText.assistantThinking('Checking the map'));
  // The assistant experience has no stop button of Slack's: ours is there, and stops the answer.
  await t.slack.waitForCall(() => answerMessages(t!.slack, root, DM).some(isLive));
  const live = answerMessages(t.slack, root, DM).find(isLive)!;
  await t.sender.interaction(blockAction(t.slack, live, { action_id: 'stop', block_id: 'answer_live', type: 'button', value: buttonValue(live, 'stop') }));
  await t.slack.waitForCall(() => answerMessages(t!.slack, root, DM).some(isFinal));
  await t.slack.waitForCall((c) => isStatus(c) && c.args.status === '');
  expect(t.slack.assistantThread(DM, root).statuses.at(-1)).toBe('');
});

test('a DM thread that is not an assistant thread gets no status line or title', async () => {
  t = await assistantBot();
  await openThread(t);
  const dm = messageEvent('Just a plain DM', { channel: DM, channelType: 'im' });
  await t.sender.event(dm);
  await finalAnswer(t.slack, dm.ts, { channel: DM });
  expect(t.slack.calls.filter((c) => (isStatus(c) || c.method === 'assistant.threads.setTitle') && c.args.thread_ts === dm.ts)).toEqual([]);
});
