/**
 * CJK and emoji-heavy answers several times Discord's 2,000-character limit:
 * split into messages that each fit, no grapheme cluster (surrogate pair, ZWJ
 * family, flag, skin tone, keycap) cut in two, and together exactly the answer.
 */
import { afterEach, expect, test } from 'vitest';
import { HistoryStore } from '../../../src/history/store.ts';
import { startDiscordBot, type DiscordBotHarness } from '../../fakes/discord/bot.ts';
import { botMessages, endsAnswer, isLive } from '../../fakes/discord/read.ts';

const DISCORD_LIMIT = 2000;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Offsets (UTF-16) where a grapheme cluster of `text` starts. */
function graphemeStarts(text: string): Set<number> {
  return new Set([...graphemes.segment(text)].map((s) => s.index));
}

const EMOJI = ['👨‍👩‍👧‍👦', '🇯🇵', '👍🏽', '1️⃣', '🧑🏿‍💻', '🏳️‍🌈', '😀', '❤️'];

/** Paragraphs of CJK sentences and emoji; one runs on past a whole message without a line break. */
function answer(): string {
  const sentence = (i: number) => `第${i}句：這是一個很長的回答，包含中文、日本語のテキスト、한국어 문장${EMOJI[i % EMOJI.length]}${EMOJI[(i * 3) % EMOJI.length]}。`;
  const paragraph = (from: number, count: number) => Array.from({ length: count }, (_, k) => sentence(from + k)).join('');
  const runOn = Array.from({ length: 300 }, (_, i) => `${EMOJI[i % EMOJI.length]}漢字かな交じり文`).join('');
  return [paragraph(0, 20), paragraph(20, 30), runOn, paragraph(50, 25), paragraph(75, 40)].join('\n\n');
}

test('a long CJK and emoji answer is split into messages of at most 2,000 characters, no grapheme broken, adding up to the answer', async () => {
  const text = answer();
  expect(text.length).toBeGreaterThan(3 * DISCORD_LIMIT);
  const h = (harness = await startDiscordBot());
  // Code point chunks: ZWJ sequences and flags arrive split across stream events.
  h.upstream.script({ type: 'answer', text, chunkSize: 7 });
  const question = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> write a lot` });

  // The turn is registered before its upstream request goes out; draining waits for its final writes and history.
  await h.upstream.waitForRequests(1);
  await h.bot.core.drain(60_000);
  const messages = botMessages(h.discord, question.id);
  // No Stop left anywhere; the answer's own controls sit under its last part only.
  expect(messages.some(isLive)).toBe(false);
  expect(messages.map(endsAnswer)).toEqual(messages.map((_, i) => i === messages.length - 1));
  const parts = messages.map((m) => m.content);
  expect(parts.length).toBeGreaterThanOrEqual(4);
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(DISCORD_LIMIT);
    expect(part.isWellFormed()).toBe(true);
  }
  // Every cut falls on a grapheme boundary of the answer, and the parts add up to it.
  const joined = parts.join('');
  expect(joined).toBe(text);
  const starts = graphemeStarts(text);
  let offset = 0;
  for (const part of parts.slice(0, -1)) {
    offset += part.length;
    expect(starts.has(offset)).toBe(true);
  }
  const { messages: stored } = await new HistoryStore(h.bot.store.keyv('history')).load(`discord:${h.discord.world.guildId}:${question.id}`);
  expect(stored.at(-1)).toMatchObject({ role: 'assistant', text, status: 'complete' });
});
