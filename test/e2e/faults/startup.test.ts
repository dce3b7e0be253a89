/**
 * Messages that arrive the moment the bot connects (a busy server right after a
 * deploy) are answered, none dropped between discord.js becoming ready and the
 * adapter finishing its start-up.
 */
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { startBot } from '../../../src/main.ts';
import { startFakeDiscord } from '../../fakes/discord/index.ts';
import { finalAnswer } from '../../fakes/discord/read.ts';
import { fixtureAnswer, startFakeUpstream } from '../../fakes/upstream.ts';

test('twenty messages sent as soon as the bot is connected are all answered', async () => {
  const discord = await startFakeDiscord();
  const upstream = await startFakeUpstream();
  const starting = startBot({
    env: { LLM_API_BASE: upstream.url, LLM_API_KEY: 'test-key', DISCORD_TOKEN: discord.token, DISCORD_API_BASE: discord.apiBase, STORE_URL: 'sqlite://:memory:' },
    logger: pino({ level: 'silent' }),
  });
  try {
    // READY and the guild are sent; the bot has not finished starting yet.
    await discord.waitForReady();
    const questions = Array.from({ length: 20 }, (_, i) => discord.sendMessage({ content: `<@${discord.world.bot.id}> question ${i}` }));
    const answers = await Promise.all(questions.map((q) => finalAnswer(discord, q.id)));
    expect(answers.map((a) => a.map((m) => m.content))).toEqual(questions.map(() => [fixtureAnswer()]));
  } finally {
    await (await starting).stop(0);
    await Promise.allSettled([discord.close(), upstream.close()]);
  }
});
