/**
 * End to end through the real discord.js: a person mentions the bot in a
 * channel and reads the answer in a thread, follows up, DMs it.
 */
import { afterEach, expect, test } from 'vitest';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { FakeMessage } from '../fakes/discord/index.ts';
import { fixtureAnswer } from '../fakes/upstream.ts';

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** The bot's messages in a channel once the last one has lost its Stop button (the answer is final). */
function finalAnswer(h: DiscordBotHarness, channelId: string, count = 1): Promise<FakeMessage[]> {
  return h.discord.waitUntil(() => {
    const mine = h.discord.messagesIn(channelId).filter((m) => m.author.id === h.discord.world.bot.id);
    const last = mine.at(-1);
    return mine.length >= count && last && last.components.length === 0 && last.content !== '' ? mine : undefined;
  });
}

test('a mention in a channel is answered in a thread started from it, with the whole streamed answer', async () => {
  harness = await startDiscordBot();
  const { discord, world } = { discord: harness.discord, world: harness.discord.world };
  const question = discord.sendMessage({ content: `<@${world.bot.id}> 用一句话介绍你自己` });

  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  expect(thread.parent_id).toBe(world.channelId);
  expect(thread.name).toBe('用一句话介绍你自己');
  const [answer] = await finalAnswer(harness, thread.id);
  expect(answer?.content).toBe(fixtureAnswer());
  expect(discord.messagesIn(world.channelId).filter((m) => m.author.id === world.bot.id)).toEqual([]);
});
