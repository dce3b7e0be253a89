/**
 * The platform pushes back mid-answer: 429 storms and 5xx on Discord edits and
 * Slack chat.update. The answer still ends with the right text, the bot causes
 * no 429 beyond those forced on it, and other conversations carry on.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../../adapters/slack/mrkdwn.ts';
import { HistoryStore } from '../../../src/history/store.ts';
import type { RunningBot } from '../../../src/main.ts';
import { startDiscordBot, type DiscordBotHarness } from '../../fakes/discord/bot.ts';
import { botMessages, finalAnswer } from '../../fakes/discord/read.ts';
import { answerMessages, finalAnswer as slackFinalAnswer, isLive, mentionEvent, startSlackBot, type SlackBotUnderTest } from '../../fakes/slack/harness.ts';
import { startUpstreamProxy, type UpstreamProxy } from '../../support/upstream-proxy.ts';

const TEXT_A = 'Answer A starts here. The rest of answer A arrives only after the platform has started to push back.';
const TEXT_B = 'Answer B streams in another conversation meanwhile, and ends as usual.';

let discordBot: DiscordBotHarness | undefined;
let slackBot: SlackBotUnderTest | undefined;
let proxy: UpstreamProxy | undefined;
afterEach(async () => {
  await discordBot?.stop();
  await slackBot?.close();
  await proxy?.close();
  discordBot = undefined;
  slackBot = undefined;
  proxy = undefined;
});

async function storedAnswers(bot: RunningBot, conversationId: string) {
  await bot.core.drain(60_000);
  const { messages } = await new HistoryStore(bot.store.keyv('history')).load(conversationId);
  return messages.map((m) => (m.role === 'assistant' ? { role: m.role, text: m.text, status: m.status } : { role: m.role, text: m.text }));
}

test('Discord: 429s and 5xx on one thread’s edits are waited out, its answer ends right, and another thread is untouched', async () => {
  proxy = await startUpstreamProxy({ path: '/v1/gemini' });
  const h = (discordBot = await startDiscordBot({ env: { LLM_API_BASE: proxy.url } }));
  proxy.target = new URL(h.upstream.url).origin;
  h.upstream.script({ type: 'answer', text: TEXT_A, chunkSize: 12 }, { type: 'answer', text: TEXT_B, chunkSize: 12 });

  proxy.holdNext();
  const questionA = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> question A` });
  const threadA = questionA.id;
  // A is on screen and still streaming (its Stop button shows) when the platform starts to push back.
  await h.discord.waitUntil(() => botMessages(h.discord, threadA).find((m) => m.content.startsWith('Answer A') && m.components.length > 0));
  const editsInA = { method: 'PATCH', path: new RegExp(`^/channels/${threadA}/messages/\\d+$`) };
  h.discord.failNext(editsInA, { type: 'rate-limited', retryAfterMs: 150 }, 3);
  h.discord.failNext(editsInA, { type: 'status', status: 502 }, 2);

  const questionB = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> question B` });
  const [answerB] = await finalAnswer(h.discord, questionB.id);
  expect(answerB?.content).toBe(TEXT_B);

  proxy.release();
  const answersA = await finalAnswer(h.discord, threadA);
  expect(answersA.map((m) => m.content)).toEqual([TEXT_A]);

  const statuses = (channel: string) => h.discord.requests.filter((r) => r.path.startsWith(`/channels/${channel}/`)).map((r) => r.status);
  expect(statuses(threadA).filter((s) => s === 429)).toHaveLength(3);
  expect(statuses(threadA).filter((s) => s === 502)).toHaveLength(2);
  expect(statuses(questionB.id).every((s) => s >= 200 && s < 300)).toBe(true);
  // Not one 429 beyond the three forced: the bot kept to Discord's budgets while waiting them out.
  expect(h.discord.requests.filter((r) => r.status === 429)).toHaveLength(3);

  const guild = h.discord.world.guildId;
  expect(await storedAnswers(h.bot, `discord:${guild}:${threadA}`)).toEqual([
    { role: 'user', text: 'question A' },
    { role: 'assistant', text: TEXT_A, status: 'complete' },
  ]);
  expect(await storedAnswers(h.bot, `discord:${guild}:${questionB.id}`)).toEqual([
    { role: 'user', text: 'question B' },
    { role: 'assistant', text: TEXT_B, status: 'complete' },
  ]);
});

test('Slack: 429s and a 5xx on chat.update mid-answer are waited out; both conversations end right in one message each', async () => {
  proxy = await startUpstreamProxy({ path: '/v1/gemini' });
  // chat.update streaming is the subject here (SLACK_STREAMING=native streams with chat.appendStream).
  const t = (slackBot = await startSlackBot({ LLM_API_BASE: proxy.url, SLACK_STREAMING: 'update' }));
  proxy.target = new URL(t.upstream.url).origin;
  t.upstream.script({ type: 'answer', text: TEXT_A, chunkSize: 12 }, { type: 'answer', text: TEXT_B, chunkSize: 12 });

  proxy.holdNext();
  const a = mentionEvent('question A', { channel: 'C0ONE' });
  await t.sender.event(a);
  await t.slack.waitForCall(() => t.slack.thread('C0ONE', a.ts).some((m) => isLive(m) && m.text.startsWith('Answer A')));
  t.slack.fail('chat.update', 2, { type: 'rate-limited', retryAfterSec: 1 });
  t.slack.fail('chat.update', 1, { type: 'http', status: 503 });

  const b = mentionEvent('question B', { channel: 'C0TWO' });
  await t.sender.event(b);
  proxy.release();
  expect(await slackFinalAnswer(t.slack, a.ts, { channel: 'C0ONE' })).toBe(toMrkdwn(TEXT_A));
  expect(await slackFinalAnswer(t.slack, b.ts, { channel: 'C0TWO' })).toBe(toMrkdwn(TEXT_B));
  expect(answerMessages(t.slack, a.ts, 'C0ONE')).toHaveLength(1);
  expect(answerMessages(t.slack, b.ts, 'C0TWO')).toHaveLength(1);

  const updates = t.slack.calls.filter((c) => c.method === 'chat.update').map((c) => c.status);
  expect(updates.filter((s) => s === 503)).toHaveLength(1);
  // Only the two forced 429s, on any method.
  expect(t.slack.calls.filter((c) => c.status === 429)).toHaveLength(2);

  expect(await storedAnswers(t.bot, `slack:${t.slack.teamId}:C0ONE:${a.ts}`)).toEqual([
    { role: 'user', text: 'question A' },
    { role: 'assistant', text: TEXT_A, status: 'complete' },
  ]);
  expect(await storedAnswers(t.bot, `slack:${t.slack.teamId}:C0TWO:${b.ts}`)).toEqual([
    { role: 'user', text: 'question B' },
    { role: 'assistant', text: TEXT_B, status: 'complete' },
  ]);
});
