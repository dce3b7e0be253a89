/**
 * The shared store goes away mid-conversation (STORE_URL=redis://…): the Redis
 * process is stopped and started again, as its supervisor would after a crash.
 * While it is down a user is told the memory store is unavailable (no crash, no
 * silence); once it is back the same thread goes on with its history intact.
 */
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { HistoryStore } from '../../../src/history/store.ts';
import { userTextIn } from '../../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../../fakes/discord/bot.ts';
import { botMessages, finalAnswer, isLive, textOf } from '../../fakes/discord/read.ts';
import { fixtureAnswer } from '../../fakes/upstream.ts';
import { describeRedis, startRedisServer, type RedisServer } from '../../support/redis-server.ts';
import { startUpstreamProxy, type UpstreamProxy } from '../../support/upstream-proxy.ts';

const userText = userTextIn('en');

describeRedis('when Redis is killed and restarted during a conversation', () => {
  let redis: RedisServer;
  let harness: DiscordBotHarness | undefined;
  let proxy: UpstreamProxy | undefined;
  beforeAll(async () => {
    redis = await startRedisServer({ persistent: true });
  });
  afterEach(async () => {
    await redis.start();
    await harness?.stop();
    await proxy?.close();
    harness = undefined;
    proxy = undefined;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('while it is down the user reads "memory store unavailable"; after the restart the thread continues with its history and the question asked meanwhile', async () => {
    const h = (harness = await startDiscordBot({ env: { STORE_URL: redis.url, INSTANCE_ID: 'redis-fault' } }));
    h.upstream.script({ type: 'answer', text: 'Paris is the capital of France.' });
    const question = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> What is the capital of France?` });
    const threadId = question.id;
    await finalAnswer(h.discord, threadId);
    await h.bot.core.drain(60_000);

    await redis.stop();
    h.discord.sendMessage({ content: 'And of Italy?', channelId: threadId });
    const [, refusal] = await finalAnswer(h.discord, threadId, 2);
    expect(refusal?.content).toBe(userText.storeUnavailable);
    // Nothing was asked of the model without the conversation's memory.
    expect(h.upstream.requests).toHaveLength(1);

    await redis.start();
    // The bot reconnects by itself; the test waits for that, as a user would try again in a minute.
    await vi.waitFor(() => h.bot.store.ping(), { timeout: 15_000, interval: 50 });
    h.discord.sendMessage({ content: 'And of Italy, now?', channelId: threadId });
    const answers = await finalAnswer(h.discord, threadId, 3);
    expect(answers.map((m) => m.content)).toEqual(['Paris is the capital of France.', userText.storeUnavailable, fixtureAnswer()]);
    // The question refused during the outage was kept: the model sees it, in its place.
    expect(h.upstream.requests[1]?.body.messages.slice(1).map((m) => ({ role: m.role, text: textOf(m.content) }))).toEqual([
      { role: 'user', text: 'What is the capital of France?' },
      { role: 'assistant', text: 'Paris is the capital of France.' },
      { role: 'user', text: 'And of Italy?' },
      { role: 'user', text: 'And of Italy, now?' },
    ]);

    await h.bot.core.drain(60_000);
    const { messages } = await new HistoryStore(h.bot.store.keyv('history')).load(`discord:${h.discord.world.guildId}:${threadId}`);
    expect(messages.map((m) => (m.role === 'assistant' ? [m.role, m.text, m.status] : [m.role, m.text]))).toEqual([
      ['user', 'What is the capital of France?'],
      ['assistant', 'Paris is the capital of France.', 'complete'],
      ['user', 'And of Italy?'],
      ['assistant', '', 'not-answered'],
      ['user', 'And of Italy, now?'],
      ['assistant', fixtureAnswer(), 'complete'],
    ]);
    expect(botMessages(h.discord, threadId).some(isLive)).toBe(false);
  });

  test('an answer that finishes while Redis is down is still in history once Redis is back', async () => {
    proxy = await startUpstreamProxy({ path: '/v1/gemini' });
    const h = (harness = await startDiscordBot({ env: { STORE_URL: redis.url, INSTANCE_ID: 'redis-fault-2', LLM_API_BASE: proxy.url } }));
    proxy.target = new URL(h.upstream.url).origin;
    h.upstream.script({ type: 'answer', text: 'Paris is the capital of France.' }, { type: 'answer', text: 'Rome is the capital of Italy.', chunkSize: 5 });
    const question = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> What is the capital of France?` });
    const threadId = question.id;
    await finalAnswer(h.discord, threadId);
    await h.bot.core.drain(60_000);

    proxy.holdNext();
    h.discord.sendMessage({ content: 'And of Italy?', channelId: threadId });
    await h.discord.waitUntil(() => botMessages(h.discord, threadId)[1]?.content.startsWith('Rome'));
    await redis.stop();
    proxy.release();
    const shown = await finalAnswer(h.discord, threadId, 2);
    expect(shown[1]?.content).toBe('Rome is the capital of Italy.');

    await redis.start();
    await vi.waitFor(() => h.bot.store.ping(), { timeout: 15_000, interval: 50 });
    await h.bot.core.drain(60_000);
    h.discord.sendMessage({ content: 'And of Spain?', channelId: threadId });
    await finalAnswer(h.discord, threadId, 3);
    expect(h.upstream.requests[2]?.body.messages.slice(1).map((m) => ({ role: m.role, text: textOf(m.content) }))).toEqual([
      { role: 'user', text: 'What is the capital of France?' },
      { role: 'assistant', text: 'Paris is the capital of France.' },
      { role: 'user', text: 'And of Italy?' },
      { role: 'assistant', text: 'Rome is the capital of Italy.' },
      { role: 'user', text: 'And of Spain?' },
    ]);
    await h.bot.core.drain(60_000);
    const { messages } = await new HistoryStore(h.bot.store.keyv('history')).load(`discord:${h.discord.world.guildId}:${threadId}`);
    // Each exchange exactly once: the retried write did not store the Italy answer twice.
    expect(messages.map((m) => m.text)).toEqual([
      'What is the capital of France?',
      'Paris is the capital of France.',
      'And of Italy?',
      'Rome is the capital of Italy.',
      'And of Spain?',
      fixtureAnswer(),
    ]);
  });
});
