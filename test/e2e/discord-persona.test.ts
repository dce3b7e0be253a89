/**
 * `/persona` end to end through the real discord.js: set on a channel by a member
 * with Manage Channels, shown (also in /model's reply), used as the system prompt
 * with its placeholders filled, set per thread, cleared, and refused privately to
 * a member without the permission.
 */
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { afterEach, expect, test } from 'vitest';
import { formatDate } from '../../src/conversation/system-prompt.ts';
import { userTextIn } from '../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { FakeDiscord, FakeUser } from '../fakes/discord/index.ts';
import { finalAnswer } from '../fakes/discord/read.ts';

const userText = userTextIn('en');

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Runs `/persona` (options as given) and resolves with its reply's text and whether only the user saw it. */
async function persona(discord: FakeDiscord, opts: { text?: string; clear?: boolean; user?: FakeUser; channelId?: string } = {}) {
  const options = [
    ...(opts.text !== undefined ? [{ name: 'text', type: 3, value: opts.text }] : []),
    ...(opts.clear !== undefined ? [{ name: 'clear', type: 5, value: opts.clear }] : []),
  ];
  const command = discord.runCommand({ name: 'persona', options, user: opts.user, channelId: opts.channelId });
  const callback = await discord.waitUntil(() => command.callbacks[0]);
  expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
  return { content: String(callback.data?.content), ephemeral: (Number(callback.data?.flags ?? 0) & MessageFlags.Ephemeral) !== 0 };
}

/** Mentions the bot in the channel; resolves with the system prompt its answer was asked with, and the thread. */
async function systemPromptOfNewThread(discord: FakeDiscord, question: string) {
  const message = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${question}` });
  await finalAnswer(discord, message.id);
  const request = harness?.upstream.requests.at(-1);
  return { prompt: request?.body.messages[0]?.content, threadId: message.id };
}

test('/persona set by a member with Manage Channels is shown, used with {date} filled, listed by /model, and cleared', async () => {
  harness = await startDiscordBot({ env: { TZ: 'UTC' } });
  const { discord } = harness;
  const { mod } = discord.world;
  const pirate = 'You are a pirate. Today is {date}.';

  expect(await persona(discord, { text: pirate, user: mod })).toEqual({ content: userText.personaSet('channel'), ephemeral: true });
  expect(await persona(discord)).toEqual({ content: userText.personaShown(pirate), ephemeral: true });

  const model = discord.runCommand({ name: 'model' });
  const listed = await discord.waitUntil(() => model.callbacks[0]);
  expect(String(listed.data?.content)).toContain(userText.modelListPersona(pirate));

  const before = formatDate(Date.now(), 'UTC');
  const { prompt } = await systemPromptOfNewThread(discord, 'ahoy?');
  const after = formatDate(Date.now(), 'UTC');
  expect([before, after].map((date) => `You are a pirate. Today is ${date}.`)).toContain(prompt);

  expect(await persona(discord, { clear: true, user: mod })).toEqual({ content: userText.personaCleared('channel'), ephemeral: true });
  expect(await persona(discord)).toEqual({ content: userText.personaNone, ephemeral: true });
  const { prompt: defaultPrompt } = await systemPromptOfNewThread(discord, 'and now?');
  expect(defaultPrompt).toMatch(/^You are Gemini, a helpful assistant/);
});

test('/persona in a thread applies to that thread only; `text: clear` clears it', async () => {
  harness = await startDiscordBot();
  const { discord } = harness;
  const { mod } = discord.world;
  const { threadId } = await systemPromptOfNewThread(discord, 'first');
  expect(await persona(discord, { text: 'You are terse.', user: mod, channelId: threadId })).toEqual({ content: userText.personaSet('thread'), ephemeral: true });

  discord.sendMessage({ content: 'second', channelId: threadId });
  await finalAnswer(discord, threadId, 2);
  expect(harness.upstream.requests[1]?.body.messages[0]?.content).toBe('You are terse.');
  expect((await systemPromptOfNewThread(discord, 'elsewhere')).prompt).toMatch(/^You are Gemini/);

  expect(await persona(discord, { text: 'clear', user: mod, channelId: threadId })).toEqual({ content: userText.personaCleared('thread'), ephemeral: true });
  expect(await persona(discord, { channelId: threadId })).toEqual({ content: userText.personaNone, ephemeral: true });
});

test('/persona is refused, privately, to a member without Manage Channels, and nothing changes', async () => {
  harness = await startDiscordBot();
  const { discord } = harness;
  expect(await persona(discord, { text: 'You are a cat.' })).toEqual({ content: userText.personaNeedsPermission('manage-channels'), ephemeral: true });
  expect(await persona(discord, { clear: true })).toEqual({ content: userText.personaNeedsPermission('manage-channels'), ephemeral: true });
  expect(await persona(discord)).toEqual({ content: userText.personaNone, ephemeral: true });
});

test('a persona over 4,000 characters is refused with the reason', async () => {
  harness = await startDiscordBot();
  const { discord } = harness;
  expect(await persona(discord, { text: 'x'.repeat(4500), user: discord.world.mod })).toEqual({ content: userText.personaTooLong(4500, 4000), ephemeral: true });
});
