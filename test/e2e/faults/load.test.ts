/**
 * 200 conversations at once through the real discord.js: every question gets
 * its own answer in its own thread, and each thread's history holds exactly
 * its one exchange, with nothing crossed between conversations.
 */
import { afterEach, expect, test } from 'vitest';
import { HistoryStore } from '../../../src/history/store.ts';
import { startDiscordBot, type DiscordBotHarness } from '../../fakes/discord/bot.ts';
import { botMessages, isLive, textOf } from '../../fakes/discord/read.ts';

const CONVERSATIONS = 200;

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test(`${CONVERSATIONS} conversations at once are each answered with their own answer, and each history holds exactly that exchange`, async () => {
  const h = (harness = await startDiscordBot());
  // Request k gets answer k: the fake answers in arrival order, so the request that
  // carried a question names the answer its thread must show.
  h.upstream.script(...Array.from({ length: CONVERSATIONS }, (_, k) => ({ type: 'answer' as const, text: `Answer number ${k}.`, chunkSize: 6 })));
  const questions = Array.from({ length: CONVERSATIONS }, (_, i) => `question number ${i}`);
  const threads = questions.map((q) => h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> ${q}` }).id);

  const shown = await h.discord.waitUntil(() => {
    const finals = threads.map((id) => botMessages(h.discord, id));
    return finals.every((m) => m.length === 1 && m[0] && !isLive(m[0]) && m[0].content !== '') ? finals.map((m) => m[0]!.content) : undefined;
  });
  await h.bot.core.drain(60_000);

  expect(h.upstream.requests).toHaveLength(CONVERSATIONS);
  const answerFor = new Map(h.upstream.requests.map((r, k) => [textOf(r.body.messages.at(-1)?.content), `Answer number ${k}.`]));
  const history = new HistoryStore(h.bot.store.keyv('history'));
  for (const [i, question] of questions.entries()) {
    const expected = answerFor.get(question);
    expect(shown[i]).toBe(expected);
    const { messages } = await history.load(`discord:${h.discord.world.guildId}:${threads[i]}`);
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['user', question],
      ['assistant', expected],
    ]);
  }
  // Each request carried its own question only: no other conversation's words.
  for (const r of h.upstream.requests) expect(r.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
  expect(h.discord.requests.filter((r) => r.status === 429)).toHaveLength(0);
}, 60_000);
