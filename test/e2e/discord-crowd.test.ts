/**
 * A crowd in one Discord channel, through the real discord.js: in reply mode
 * every answer is a message in the channel the question was asked in, so all of
 * them share its 5 edits per 5 s. The provider streams at a real pace (reasoning
 * first, then the answer), so the answers overlap as they would.
 */
import { afterEach, expect, test } from 'vitest';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import { botMessages, endsAnswer } from '../fakes/discord/read.ts';
import { answerFor } from '../fakes/paced-upstream.ts';
import { usePacedUpstream } from '../support/paced-upstream-hooks.ts';

const REASONING_MS = 1500;
const ANSWER_CHARS = 600;

const upstream = usePacedUpstream();
let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test.each([5, 20])('%i answers at once in one channel in reply mode: no 429, every final text as the model wrote it', async (count) => {
  harness = await startDiscordBot({
    env: { DISCORD_REPLY_MODE: 'reply', LLM_API_BASE: `${upstream.url}/r${REASONING_MS}/a${ANSWER_CHARS}`, LLM_MAX_RETRIES: '0' },
  });
  const { discord } = harness;
  const { world } = discord;
  const asked = Array.from({ length: count }, (_, i) => {
    const question = `[[discord-crowd-${count}-${i}]] how do rate limits shape a streamed answer?`;
    const sent = discord.sendMessage({ content: `<@${world.bot.id}> ${question}` });
    return { id: sent.id, answer: answerFor(question, ANSWER_CHARS) };
  });

  // Final: Stop replaced by the finished answer's controls, and the text no longer the thinking status.
  const answers = await discord.waitUntil(() => {
    const mine = botMessages(discord, world.channelId);
    const replies = asked.map(({ id }) => mine.find((m) => m.message_reference?.message_id === id));
    return replies.every((m) => m && endsAnswer(m) && m.content !== '' && !m.content.startsWith('💭')) ? replies : undefined;
  });

  expect(answers.map((m) => m?.content)).toEqual(asked.map(({ answer }) => answer));
  expect(discord.requests.filter((r) => r.status === 429)).toEqual([]);
}, 180_000);
