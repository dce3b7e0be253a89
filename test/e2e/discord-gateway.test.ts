/**
 * A Gateway disconnect (Discord moving the session) must not lose a turn: the
 * answer streaming at that moment finishes over REST, discord.js resumes the
 * session, and a question asked while it was away is answered after the resume.
 */
import { afterEach, expect, test } from 'vitest';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import { botMessages, finalAnswer } from '../fakes/discord/read.ts';
import { startUpstreamProxy, type UpstreamProxy } from '../support/upstream-proxy.ts';

let harness: DiscordBotHarness | undefined;
let proxy: UpstreamProxy | undefined;
afterEach(async () => {
  await harness?.stop();
  await proxy?.close();
  harness = undefined;
  proxy = undefined;
});

test('a gateway disconnect mid-answer resumes without losing the answer or a question asked meanwhile', async () => {
  proxy = await startUpstreamProxy({ path: '/v1/gemini' });
  const h = (harness = await startDiscordBot({ env: { LLM_API_BASE: proxy.url } }));
  proxy.target = new URL(h.upstream.url).origin;
  const { discord } = h;
  h.upstream.script({ type: 'answer', text: 'Answer A, streamed across a reconnect.', chunkSize: 8 }, { type: 'answer', text: 'Answer B.' });

  proxy.holdNext();
  const questionA = discord.sendMessage({ content: `<@${discord.world.bot.id}> question A` });
  await discord.waitUntil(() => botMessages(discord, questionA.id).find((m) => m.components.length > 0 && m.content.startsWith('Answer')));

  console.log('A streaming'); discord.gateway.drop();
  const questionB = discord.sendMessage({ content: `<@${discord.world.bot.id}> question B` });
  proxy.release();

  const [answerA] = await finalAnswer(discord, questionA.id); console.log('A done', discord.gateway.resumes);
  expect(answerA?.content).toBe('Answer A, streamed across a reconnect.');
  const [answerB] = await finalAnswer(discord, questionB.id);
  expect(answerB?.content).toBe('Answer B.');
  expect(discord.gateway.resumes).toHaveLength(1);
  expect(discord.identifies).toHaveLength(1);
});
