/**
 * Attachments, long answers and trouble, end to end through the real discord.js:
 * images and videos reach the model, expired CDN URLs are refreshed, long answers
 * split, upstream errors and Discord 429s and missing permissions are handled.
 */
import { afterEach, expect, test } from 'vitest';
import { expiresAt } from '../../adapters/discord/attachments.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import { botMessages, finalAnswer, imageUrlsOf, isLive } from '../fakes/discord/read.ts';
import { fixture } from '../fakes/upstream.ts';
import { userTextIn } from '../../src/user-text.ts';

const userText = userTextIn('en');

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(env: Record<string, string> = {}): Promise<DiscordBotHarness> {
  harness = await startDiscordBot({ env });
  return harness;
}

async function ask(h: DiscordBotHarness, content: string, attachments: Parameters<DiscordBotHarness['discord']['sendMessage']>[0]['attachments'] = []) {
  const message = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> ${content}`, attachments });
  const thread = await h.discord.waitUntil(() => h.discord.threads().find((t) => t.id === message.id));
  return { message, threadId: thread.id };
}

test('an image and a video on the message reach the model as image_url parts', async () => {
  const h = await start();
  const { message, threadId } = await ask(h, 'what is in these?', [
    { filename: 'cat.png', contentType: 'image/png', size: 50_000 },
    { filename: 'clip.mp4', contentType: 'video/mp4', size: 2_000_000 },
  ]);
  await finalAnswer(h.discord, threadId);
  const urls = imageUrlsOf(h.upstream.requests[0]?.body.messages.at(-1)?.content);
  expect(urls).toEqual(message.attachments.map((a) => a.url));
  expect(urls[1]).toContain('clip.mp4');
});

test('an expired attachment URL is refreshed before it goes to the model', async () => {
  const h = await start();
  const { message, threadId } = await ask(h, 'and this?', [
    { filename: 'old.jpg', contentType: 'image/jpeg', expiresAtMs: Date.now() - 60_000 },
  ]);
  await finalAnswer(h.discord, threadId);
  const refresh = h.discord.requests.find((r) => r.path === '/attachments/refresh-urls');
  expect(refresh?.body).toEqual({ attachment_urls: [message.attachments[0]?.url] });
  const [url] = imageUrlsOf(h.upstream.requests[0]?.body.messages.at(-1)?.content);
  expect(url).not.toBe(message.attachments[0]?.url);
  expect(expiresAt(url ?? '')).toBeGreaterThan(Date.now());
});

test('an answer longer than 2,000 characters is split into messages of at most 2,000 that add up to it', async () => {
  const h = await start();
  const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(6).trim();
  const answer = Array.from({ length: 14 }, (_, i) => `${i + 1}. ${paragraph}`).join('\n\n');
  expect(answer.length).toBeGreaterThan(4000);
  h.upstream.script({ type: 'answer', text: answer, chunkSize: 300 });
  const { threadId } = await ask(h, 'write a lot');
  const messages = await h.discord.waitUntil(() => {
    const mine = botMessages(h.discord, threadId);
    const joined = mine.map((m) => m.content).join('');
    return !mine.some(isLive) && joined.replace(/\s/g, '') === answer.replace(/\s/g, '') ? mine : undefined;
  });
  expect(messages.length).toBeGreaterThanOrEqual(3);
  for (const m of messages) expect(m.content.length).toBeLessThanOrEqual(2000);
  // Continuations do not notify again.
  expect(messages.slice(1).every((m) => (m.flags & (1 << 12)) !== 0)).toBe(true);
});

test('an upstream 500 shows the error text with its trace id', async () => {
  const h = await start({ LLM_MAX_RETRIES: '0' });
  const error = JSON.parse(fixture('error.json')) as { trace_id: string };
  h.upstream.script({ type: 'error', status: 500, body: error });
  const { message, threadId } = await ask(h, 'will this work?');
  const [shown] = await finalAnswer(h.discord, threadId);
  expect(shown?.content).toContain(error.trace_id);
  await h.discord.waitUntil(() => h.discord.reactions.find((r) => r.messageId === message.id));
  expect(h.discord.reactions).toEqual([{ messageId: message.id, emoji: '⚠️' }]);
});

test('a 429 from Discord on an edit is waited out and the final text still lands', async () => {
  const h = await start();
  h.discord.failNext({ method: 'PATCH', path: /^\/channels\/\d+\/messages\/\d+$/ }, { type: 'rate-limited', retryAfterMs: 300 });
  const text = 'A steady answer that arrives in several small pieces so that it needs edits.';
  h.upstream.script({ type: 'answer', text, chunkSize: 10 });
  const { threadId } = await ask(h, 'go');
  const [answer] = await finalAnswer(h.discord, threadId);
  expect(answer?.content).toBe(text);
  const patches = h.discord.requests.filter((r) => r.method === 'PATCH');
  expect(patches[0]?.status).toBe(429);
  expect(patches.at(-1)?.status).toBe(200);
});

test('without Create Public Threads the bot says which permission is missing', async () => {
  const h = await start();
  h.discord.failNext(
    { method: 'POST', path: /^\/channels\/\d+\/messages\/\d+\/threads$/ },
    { type: 'status', status: 403, body: { message: 'Missing Permissions', code: 50013 } },
  );
  const message = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> hello?` });
  const [reply] = await h.discord.waitUntil(() => {
    const mine = botMessages(h.discord, h.discord.world.channelId);
    return mine.length > 0 ? mine : undefined;
  });
  expect(reply?.content).toBe(userText.missingPermission('create-public-threads'));
  expect(reply?.message_reference?.message_id).toBe(message.id);
  expect(h.upstream.requests).toHaveLength(0);
});

test('without Send Messages in Threads the bot says so where the question was asked', async () => {
  const h = await start();
  const message = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> hello?` });
  // The thread (its id is the message's) is created; every post in it is refused.
  h.discord.failNext(
    { method: 'POST', path: new RegExp(`^/channels/${message.id}/messages$`) },
    { type: 'status', status: 403, body: { message: 'Missing Permissions', code: 50013 } },
    10,
  );
  const [reply] = await h.discord.waitUntil(() => {
    const mine = botMessages(h.discord, h.discord.world.channelId);
    return mine.length > 0 ? mine : undefined;
  });
  expect(reply?.content).toBe(userText.missingPermission('send-messages-in-threads'));
  expect(reply?.message_reference?.message_id).toBe(message.id);
  expect(botMessages(h.discord, message.id)).toEqual([]);
});
