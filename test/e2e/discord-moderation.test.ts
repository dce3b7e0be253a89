/**
 * What `/reset` and Stop do on Discord, and for whom: `/reset` says "reset" only
 * when it forgot a conversation (in reply mode, the newest reply chain the person
 * started in the channel); Stop and `/reset` on someone else's answer belong to
 * the asker and to members with Manage Messages. Tests read the store, not only
 * the replies.
 */
import { InteractionResponseType } from 'discord-api-types/v10';
import { afterEach, expect, test } from 'vitest';
import { userTextIn } from '../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { FakeDiscord, FakeUser } from '../fakes/discord/index.ts';
import { botMessages, finalAnswer, isLive, replyOf } from '../fakes/discord/read.ts';
import { answerTranscript } from '../fakes/upstream.ts';

const userText = userTextIn('en');

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** `author` mentions the bot in the channel (reply mode); resolves once the answer replying to it is final. Returns the chain's conversation id. */
async function chainStartedBy(discord: FakeDiscord, author: FakeUser, question: string): Promise<string> {
  const message = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${question}`, author });
  await discord.waitUntil(() => {
    const answer = botMessages(discord, discord.world.channelId).find((m) => m.message_reference?.message_id === message.id);
    return answer && !isLive(answer) && answer.content !== '' ? answer : undefined;
  });
  return `discord:${discord.world.guildId}:${discord.world.channelId}:${message.id}`;
}

const hasHistory = (h: DiscordBotHarness, conversationId: string) => h.bot.core.hasHistory(conversationId);

test("in reply mode /reset in the channel forgets the newest chain the person started there, and nobody else's", async () => {
  const h = (harness = await startDiscordBot({ env: { DISCORD_REPLY_MODE: 'reply' } }));
  const { discord } = h;
  const { alice, bob } = discord.world;
  const older = await chainStartedBy(discord, alice, 'remember 41');
  const newest = await chainStartedBy(discord, alice, 'remember 42');
  const bobs = await chainStartedBy(discord, bob, 'remember 43');
  await h.bot.core.drain(60_000);

  expect(await replyOf(discord, discord.runCommand({ name: 'reset', user: alice }))).toEqual({ content: userText.resetLatestChain, ephemeral: true });
  expect(await hasHistory(h, newest)).toBe(false);
  expect(await hasHistory(h, older)).toBe(true);
  expect(await hasHistory(h, bobs)).toBe(true);
});

test('in reply mode /reset from someone with no chain in the channel resets nothing and says so', async () => {
  const h = (harness = await startDiscordBot({ env: { DISCORD_REPLY_MODE: 'reply' } }));
  const { discord } = h;
  const alices = await chainStartedBy(discord, discord.world.alice, 'remember 42');
  await h.bot.core.drain(60_000);
  const reply = await replyOf(discord, discord.runCommand({ name: 'reset', user: discord.world.bob }));
  expect(reply).toEqual({ content: userText.resetNothingHere, ephemeral: true });
  expect(await hasHistory(h, alices)).toBe(true);
});

test('in reply mode an /ask in the channel is the newest chain, and /reset forgets it', async () => {
  const h = (harness = await startDiscordBot({ env: { DISCORD_REPLY_MODE: 'reply' } }));
  const { discord } = h;
  const mention = await chainStartedBy(discord, discord.world.alice, 'remember 41');
  const ask = discord.runCommand({ name: 'ask', options: [{ name: 'prompt', type: 3, value: 'remember 42' }] });
  await discord.waitUntil(() => {
    const original = ask.originalMessageId ? discord.world.messages.get(ask.originalMessageId) : undefined;
    return original && original.content !== '' && !isLive(original) ? original : undefined;
  });
  await h.bot.core.drain(60_000);
  const askChain = `discord:${discord.world.guildId}:${discord.world.channelId}:${ask.id}`;
  expect(await hasHistory(h, askChain)).toBe(true);

  expect((await replyOf(discord, discord.runCommand({ name: 'reset' }))).content).toBe(userText.resetLatestChain);
  expect(await hasHistory(h, askChain)).toBe(false);
  expect(await hasHistory(h, mention)).toBe(true);
});

test("/reset in someone else's thread is refused privately; a member with Manage Messages may reset it", async () => {
  const h = (harness = await startDiscordBot());
  const { discord } = h;
  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> remember 42` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  await finalAnswer(discord, thread.id);
  await h.bot.core.drain(60_000);
  const conversationId = `discord:${discord.world.guildId}:${thread.id}`;

  // Bob, and the mod who may only manage channels, are not moderators of messages.
  for (const user of [discord.world.bob, discord.world.mod]) {
    const refused = await replyOf(discord, discord.runCommand({ name: 'reset', channelId: thread.id, user }));
    expect(refused).toEqual({ content: userText.onlyAskerMay('reset', userText.answerModerators.discord), ephemeral: true });
  }
  expect(await hasHistory(h, conversationId)).toBe(true);

  const accepted = await replyOf(discord, discord.runCommand({ name: 'reset', channelId: thread.id, user: discord.world.moderator }));
  expect(accepted).toEqual({ content: userText.resetDone, ephemeral: false });
  expect(await hasHistory(h, conversationId)).toBe(false);
});

test('Stop pressed by someone else is refused privately and the answer goes on; a member with Manage Messages may stop it', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  const pieces = answerTranscript({ type: 'answer', text: 'The beginning of a long answer', chunkSize: 100 });
  upstream.script({ type: 'hang', pieces: pieces.slice(0, 2) });
  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> tell me a long story` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  const live = await discord.waitUntil(() => botMessages(discord, thread.id).find((m) => m.content.includes('The beginning') && m.components.length > 0));
  const customId = (live.components[0] as { components: { custom_id: string }[] }).components[0]?.custom_id ?? '';

  const refused = discord.pressButton({ messageId: live.id, customId, user: discord.world.bob });
  expect(await replyOf(discord, refused)).toEqual({ content: userText.onlyAskerMay('stop', userText.answerModerators.discord), ephemeral: true });
  expect(h.bot.core.activeTurns).toBe(1);
  expect(discord.world.messages.get(live.id)?.components).toHaveLength(1);

  const accepted = discord.pressButton({ messageId: live.id, customId, user: discord.world.moderator });
  const [stopped] = await finalAnswer(discord, thread.id);
  expect(accepted.callbacks[0]?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
  expect(stopped?.content).toContain(userText.stopped);
});

test('an /ask answer carries its asker on the Stop button', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  upstream.script({ type: 'hang', pieces: answerTranscript({ type: 'answer', text: 'Thinking out loud', chunkSize: 100 }).slice(0, 2) });
  const ask = discord.runCommand({ name: 'ask', options: [{ name: 'prompt', type: 3, value: 'go on' }], user: discord.world.bob });
  const live = await discord.waitUntil(() => {
    const original = ask.originalMessageId ? discord.world.messages.get(ask.originalMessageId) : undefined;
    return original && original.components.length > 0 ? original : undefined;
  });
  const customId = (live.components[0] as { components: { custom_id: string }[] }).components[0]?.custom_id;
  expect(customId).toBe(`stop:${ask.id}:${discord.world.bob.id}`);
});
