/**
 * Daily token quotas and `/usage` on Discord, end to end through the real
 * discord.js: a person over their limit is told so and nothing goes upstream;
 * an answer streaming when the limit is crossed finishes; `/usage` shows the
 * figures privately, with the server's top users by name for moderators only;
 * an answer without usage is estimated, and /metrics says so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { HistoryStore } from '../../src/history/store.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import { startFakeDiscord, type FakeDiscord, type FakeUser } from '../fakes/discord/index.ts';
import { startFakeUpstream } from '../fakes/upstream.ts';
import { botMessages, finalAnswer, isLive, replyOf, textOf } from '../fakes/discord/read.ts';
import { freePort } from '../support/free-port.ts';
import { startUpstreamProxy, type UpstreamProxy } from '../support/upstream-proxy.ts';

/** What the provider's published stream reports as `total_tokens`; scripted answers report 30. */
const FIXTURE_TOKENS = 535;

let harness: DiscordBotHarness | undefined;
let proxy: UpstreamProxy | undefined;
afterEach(async () => {
  await harness?.stop();
  await proxy?.close();
  harness = undefined;
  proxy = undefined;
});

/** `author` mentions the bot in the channel; resolves with the thread and the bot's final messages there. */
async function ask(discord: FakeDiscord, question: string, author: FakeUser = discord.world.alice) {
  const message = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${question}`, author });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === message.id));
  const answer = await finalAnswer(discord, thread.id);
  return { threadId: thread.id, text: answer.map((m) => m.content).join('\n') };
}

/** `/usage`'s reply, the reset line (its countdown moves with the clock) checked and taken out. */
async function usage(discord: FakeDiscord, user: FakeUser, channelId = discord.world.channelId) {
  const reply = await replyOf(discord, discord.runCommand({ name: 'usage', user, channelId }));
  const lines = reply.content.split('\n');
  const reset = lines.findIndex((line) => line.startsWith('The counts start again'));
  expect(lines[reset]).toMatch(/^The counts start again at 00:00 \(UTC\), in \d+ (h|min)/);
  return { ephemeral: reply.ephemeral, lines: lines.filter((_, i) => i !== reset) };
}

test('a person over QUOTA_USER_DAILY_TOKENS is told which limit, how much and when it resets; nothing goes upstream and the question is kept as not answered', async () => {
  const h = (harness = await startDiscordBot({ env: { QUOTA_USER_DAILY_TOKENS: '500', TZ: 'UTC' } }));
  const { discord, upstream, bot } = h;
  const first = await ask(discord, 'what are you?');
  expect(upstream.requests).toHaveLength(1);
  await bot.core.drain(60_000);

  discord.sendMessage({ content: 'and who trained you?', channelId: first.threadId });
  const [, refusal] = await finalAnswer(discord, first.threadId, 2);
  expect(refusal?.content).toContain(`You have used ${FIXTURE_TOKENS} of your 500 tokens for today.`);
  expect(refusal?.content).toMatch(/Your limit resets at 00:00 \(UTC\), in \d+ (h|min)/);
  expect(upstream.requests).toHaveLength(1);
  // A quota is not a failure: no ⚠️ on the question.
  expect(discord.reactions).toEqual([]);

  await bot.core.drain(60_000);
  const history = await new HistoryStore(bot.store.keyv('history')).load(`discord:${discord.world.guildId}:${first.threadId}`);
  expect(history.messages.slice(-2)).toMatchObject([
    { role: 'user', text: 'and who trained you?' },
    { role: 'assistant', status: 'not-answered', reason: 'quota' },
  ]);

  // Bob has his own allowance.
  upstream.script({ type: 'answer', text: 'Hello Bob.' });
  expect((await ask(discord, 'hello', discord.world.bob)).text).toBe('Hello Bob.');
});

test('an answer streaming when the limit is crossed finishes whole; the next question is refused', async () => {
  proxy = await startUpstreamProxy({ path: '/v1/gemini' });
  const h = (harness = await startDiscordBot({ env: { LLM_API_BASE: proxy.url, QUOTA_USER_DAILY_TOKENS: '100', TZ: 'UTC' } }));
  proxy.target = new URL(h.upstream.url).origin;
  const { discord, upstream } = h;
  const long = 'A long answer, still streaming while another one pushes its asker over the limit.';
  upstream.script({ type: 'answer', text: long, chunkSize: 8 }, { type: 'replay', fixture: 'stream-reasoning-zh.sse' });

  proxy.holdNext();
  const slow = discord.sendMessage({ content: `<@${discord.world.bot.id}> the slow one` });
  await discord.waitUntil(() => botMessages(discord, slow.id).find((m) => isLive(m) && m.content.startsWith('A long')));
  // Meanwhile the same person's other question spends 535 tokens, past the limit of 100.
  await ask(discord, 'the quick one');

  proxy.release();
  const [answer] = await finalAnswer(discord, slow.id);
  expect(answer?.content).toBe(long);

  const refused = await ask(discord, 'one more');
  expect(refused.text).toContain(`You have used ${FIXTURE_TOKENS + 30} of your 100 tokens for today.`);
  expect(upstream.requests).toHaveLength(2);
});

test('/usage shows each person their own figures privately, and the server’s top users by name only to moderators', async () => {
  const h = (harness = await startDiscordBot({ env: { QUOTA_USER_DAILY_TOKENS: '10000', QUOTA_CHANNEL_DAILY_TOKENS: '50000', TZ: 'UTC' } }));
  const { discord, upstream, bot } = h;
  const { alice, bob, moderator } = discord.world;
  discord.world.nicknames.set(bob.id, 'Bobby');
  const { threadId } = await ask(discord, 'what are you?', alice);
  upstream.script({ type: 'answer', text: 'Hi.' });
  await ask(discord, 'hi', bob);
  await bot.core.drain(60_000);

  const mine = await usage(discord, alice);
  expect(mine).toEqual({
    ephemeral: true,
    lines: ['**You** have used 535 of your 10,000 tokens today.', '**This channel** has used 565 of its 50,000 tokens today.'],
  });
  // In a thread the channel is the thread's parent, whose limit applies there.
  expect((await usage(discord, bob, threadId)).lines).toEqual([
    '**You** have used 30 of your 10,000 tokens today.',
    '**This channel** has used 565 of its 50,000 tokens today.',
  ]);

  expect(await usage(discord, moderator)).toEqual({
    ephemeral: true,
    lines: [
      '**You** have used 0 of your 10,000 tokens today.',
      '**This channel** has used 565 of its 50,000 tokens today.',
      '**This server** has used 565 tokens today. There is no daily limit for the server.',
      '',
      'Most tokens in this server today:',
      '1. alice: 535 tokens',
      '2. Bobby: 30 tokens',
    ],
  });
});

test('after a restart, with no member in discord.js’s cache, /usage names the top users from the server’s member list', async () => {
  const discord = await startFakeDiscord();
  const upstream = await startFakeUpstream();
  const env = { STORE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'quota-restart-')), 'bot.sqlite')}`, TZ: 'UTC' };
  try {
    const first = await startDiscordBot({ env, reuse: { discord, upstream } });
    discord.world.nicknames.set(discord.world.alice.id, 'Alice from accounting');
    await ask(discord, 'what are you?');
    await first.stop();

    harness = await startDiscordBot({ env, reuse: { discord, upstream } });
    const { lines } = await usage(discord, discord.world.moderator);
    expect(lines.slice(-2)).toEqual(['Most tokens in this server today:', '1. Alice from accounting: 535 tokens']);
    expect(discord.requests.some((r) => r.method === 'GET' && r.path === `/guilds/${discord.world.guildId}/members/${discord.world.alice.id}`)).toBe(true);
  } finally {
    await harness?.stop();
    harness = undefined;
    await Promise.allSettled([discord.close(), upstream.close()]);
  }
});

test('/usage in a DM shows the person’s own figures, with no server to rank', async () => {
  const h = (harness = await startDiscordBot({ env: { TZ: 'UTC' } }));
  const { discord, bot } = h;
  const dm = discord.dmChannel();
  discord.sendMessage({ content: 'hello in private', channelId: dm.id });
  await finalAnswer(discord, dm.id);
  await bot.core.drain(60_000);
  expect(await usage(discord, discord.world.alice, dm.id)).toEqual({ ephemeral: true, lines: ['**You** have used 535 tokens today. There is no daily limit per person.'] });
});

test('an answer without usage from the provider is estimated from its characters, counted, and marked estimated in /metrics', async () => {
  const port = await freePort();
  const h = (harness = await startDiscordBot({ env: { HEALTH_PORT: String(port), TZ: 'UTC' } }));
  const { discord, upstream, bot } = h;
  const text = 'An answer from a proxy that drops the usage chunk.';
  upstream.script({ type: 'answer', text, usage: false });
  await ask(discord, 'count me');
  await bot.core.drain(60_000);

  const sentChars = (upstream.requests[0]?.body.messages ?? []).reduce((n, m) => n + textOf(m.content).length, 0);
  const estimate = Math.ceil((sentChars + text.length) / 4);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toContain(`bot_tokens_total{model="gemini-2.5-pro",kind="estimated"} ${estimate}`);
  expect(metrics).not.toMatch(/bot_tokens_total\{model="gemini-2.5-pro",kind="prompt"\}/);
  expect((await usage(discord, discord.world.alice)).lines).toEqual([`**You** have used ${estimate} tokens today. There is no daily limit per person.`]);
});
