/**
 * The bot as in production (startBot, real discord.js) against the loopback
 * Discord, which enforces Discord's 5 edits per 5 s per channel. N people
 * mention the bot at once in one channel; in reply mode every answer is a
 * message in that channel, so all N streams share one edit budget (in thread
 * mode each answer gets a thread, and a thread is a channel with its own budget).
 */
import { pino } from 'pino';
import { startDiscordBot } from '../test/fakes/discord/bot.ts';
import { botMessages, isLive } from '../test/fakes/discord/read.ts';
import { answerFor, type PacedUpstream } from '../test/fakes/paced-upstream.ts';
import { epochNow, questionFor, summarize, within, type RunSummary, type StreamRecord } from './streams.ts';

export interface DiscordProfile {
  readonly streams: number;
  readonly reasoningMs: number;
  readonly answerChars: number;
}

/** The thinking status the renderer shows before any answer text (src/user-text.ts `thinking`). */
const THINKING = '💭';

export async function runDiscord(upstream: PacedUpstream, profile: DiscordProfile): Promise<RunSummary> {
  const harness = await startDiscordBot({
    env: {
      LLM_API_BASE: upstream.base(profile.reasoningMs, profile.answerChars),
      LLM_MAX_RETRIES: '0',
      DISCORD_REPLY_MODE: 'reply',
    },
    logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
  });
  const { discord } = harness;
  const { world } = discord;
  try {
    const started = epochNow();
    const streams: (StreamRecord & { questionId: string; messageId?: string })[] = [];
    for (let i = 0; i < profile.streams; i++) {
      const tag = `discord-${profile.streams}-${i}`;
      const question = questionFor(tag);
      const mentionAt = epochNow();
      const sent = discord.sendMessage({ content: `<@${world.bot.id}> ${question}` });
      streams.push({ tag, expected: answerFor(question, profile.answerChars), mentionAt, questionId: sent.id, edits: 0 });
    }

    // Re-checked after every REST request the fake answers: the moment a write lands is the moment a user sees it.
    const observe = () => {
      const now = epochNow();
      const mine = botMessages(discord, world.channelId);
      for (const s of streams) {
        if (s.finalAt !== undefined) continue;
        const message = mine.find((m) => m.message_reference?.message_id === s.questionId);
        if (!message) continue;
        s.messageId = message.id;
        s.firstMessageAt ??= now;
        if (s.firstTextAt === undefined && message.content.includes(s.expected.slice(0, 30))) s.firstTextAt = now;
        // Final: no Stop button (a finished answer carries Regenerate and 👍/👎 instead).
        if (!isLive(message) && message.content !== '' && !message.content.startsWith(THINKING)) {
          s.finalAt = now;
          s.finalText = message.content;
        }
      }
      return streams.every((s) => s.finalAt !== undefined) || undefined;
    };
    await within(discord.waitUntil(observe), 120_000, 'the Discord streams');
    const wallMs = epochNow() - started;

    for (const s of streams) {
      s.edits = discord.requests.filter((r) => r.method === 'PATCH' && r.status === 200 && r.path.endsWith(`/messages/${s.messageId}`)).length;
    }
    const rateLimited = discord.requests.filter((r) => r.status === 429).length;
    return summarize(streams, await upstream.log(), rateLimited, wallMs);
  } finally {
    await harness.stop();
  }
}
