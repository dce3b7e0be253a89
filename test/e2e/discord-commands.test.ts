/**
 * Slash commands and the Stop button, end to end through the real discord.js:
 * /model (autocomplete, per thread, per channel), /reset, /ask (with an image,
 * and the reply chain it starts), who may run commands, Stop.
 */
import { InteractionResponseType } from 'discord-api-types/v10';
import { afterEach, expect, test } from 'vitest';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { FakeDiscord, FakeMessage, World } from '../fakes/discord/index.ts';
import { botMessages, finalAnswer, imageUrlsOf, isLive, replyOf, textOf } from '../fakes/discord/read.ts';
import { answerTranscript, fixtureAnswer } from '../fakes/upstream.ts';
import type { FakeInteraction } from '../fakes/discord/state.ts';
import { userTextIn } from '../../src/user-text.ts';

const userText = userTextIn('en');

const MODELS = 'gemini-2.5-pro,gemini-3.0-pro,gemini-3.1-pro';

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(env: Record<string, string> | ((world: World) => Record<string, string>) = {}): Promise<DiscordBotHarness> {
  harness = await startDiscordBot({ env: (world) => ({ LLM_MODELS: MODELS, ...(typeof env === 'function' ? env(world) : env) }) });
  return harness;
}

/** The deferred reply of an interaction once its answer is final: it has text and no Stop button. */
function finalOriginal(discord: FakeDiscord, interaction: FakeInteraction): Promise<FakeMessage> {
  return discord.waitUntil(() => {
    const id = interaction.originalMessageId;
    const message = id ? discord.world.messages.get(id) : undefined;
    return message && message.content !== '' && !isLive(message) ? message : undefined;
  });
}

async function threadWithAnswer(discord: FakeDiscord, question: string): Promise<string> {
  const message = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${question}` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === message.id));
  await finalAnswer(discord, thread.id);
  return thread.id;
}

test('/model autocomplete lists the configured models and marks the current one', async () => {
  const { discord } = await start();
  const threadId = await threadWithAnswer(discord, 'hi');
  const choices = await discord.autocomplete({ name: 'model', focused: 'name', value: '', channelId: threadId });
  expect(choices).toEqual([
    { name: 'gemini-2.5-pro (current)', value: 'gemini-2.5-pro' },
    { name: 'gemini-3.0-pro', value: 'gemini-3.0-pro' },
    { name: 'gemini-3.1-pro', value: 'gemini-3.1-pro' },
  ]);
  const filtered = await discord.autocomplete({ name: 'model', focused: 'name', value: '3.1', channelId: threadId });
  expect(filtered).toEqual([{ name: 'gemini-3.1-pro', value: 'gemini-3.1-pro' }]);
});

test('/model in a thread switches that thread’s model for the next question', async () => {
  const { discord, upstream } = await start();
  const threadId = await threadWithAnswer(discord, 'hi');
  expect(upstream.requests[0]?.body.model).toBe('gemini-2.5-pro');

  const command = discord.runCommand({ name: 'model', options: [{ name: 'name', type: 3, value: 'gemini-3.1-pro' }], channelId: threadId });
  expect(await replyOf(discord, command)).toEqual({ content: userText.modelSetForConversation('gemini-3.1-pro'), ephemeral: true });

  upstream.script({ type: 'answer', text: 'From 3.1.' });
  discord.sendMessage({ content: 'again', channelId: threadId });
  await finalAnswer(discord, threadId, 2);
  expect(upstream.requests[1]?.body.model).toBe('gemini-3.1-pro');
});

test('/model with no name lists the models with the current one', async () => {
  const { discord } = await start();
  const command = discord.runCommand({ name: 'model' });
  expect(await replyOf(discord, command)).toEqual({
    content: userText.modelList(MODELS.split(','), 'gemini-2.5-pro'),
    ephemeral: true,
  });
});

test('/model in a channel sets its default for new threads, but only for members with Manage Channels', async () => {
  const { discord, upstream } = await start();
  const { world } = discord;
  const refused = discord.runCommand({ name: 'model', options: [{ name: 'name', type: 3, value: 'gemini-3.0-pro' }] });
  expect(await replyOf(discord, refused)).toEqual({ content: userText.needsPermission('manage-channels'), ephemeral: true });

  const accepted = discord.runCommand({ name: 'model', options: [{ name: 'name', type: 3, value: 'gemini-3.0-pro' }], user: world.mod });
  expect(await replyOf(discord, accepted)).toEqual({ content: userText.modelSetForChannel('gemini-3.0-pro'), ephemeral: true });

  await threadWithAnswer(discord, 'which model?');
  expect(upstream.requests[0]?.body.model).toBe('gemini-3.0-pro');
});

test('/model with a model that is not on offer says which ones are', async () => {
  const { discord } = await start();
  const threadId = await threadWithAnswer(discord, 'hi');
  const command = discord.runCommand({ name: 'model', options: [{ name: 'name', type: 3, value: 'gpt-9' }], channelId: threadId });
  expect((await replyOf(discord, command)).content).toBe(userText.unknownModel('gpt-9', MODELS.split(',')));
});

test('/reset in a thread forgets its history: the next question goes alone', async () => {
  const { discord, upstream } = await start();
  const threadId = await threadWithAnswer(discord, 'remember 42');
  // Alice asked in it, so the thread's conversation is hers to reset.
  const command = discord.runCommand({ name: 'reset', channelId: threadId });
  expect(await replyOf(discord, command)).toEqual({ content: userText.resetDone, ephemeral: false });

  upstream.script({ type: 'answer', text: 'Fresh.' });
  discord.sendMessage({ content: 'what number?', channelId: threadId });
  await discord.waitUntil(() => upstream.requests[1]);
  await discord.waitUntil(() => botMessages(discord, threadId).find((m) => m.content === 'Fresh.' && !isLive(m)));
  const sent = upstream.requests[1]?.body.messages.filter((m) => m.role !== 'system') ?? [];
  expect(sent.map((m) => textOf(m.content))).toEqual(['what number?']);
});

test('/reset in a channel in thread mode resets nothing and says to use it in the thread, privately', async () => {
  const { discord, bot } = await start();
  const threadId = await threadWithAnswer(discord, 'remember 42');
  await bot.core.drain(60_000);
  const command = discord.runCommand({ name: 'reset' });
  expect(await replyOf(discord, command)).toEqual({ content: userText.resetUseInThread, ephemeral: true });
  expect(await bot.core.hasHistory(`discord:${discord.world.guildId}:${threadId}`)).toBe(true);
});

test('/ask answers in its deferred reply with the model asked for', async () => {
  const { discord, upstream } = await start();
  const command = discord.runCommand({
    name: 'ask',
    options: [
      { name: 'prompt', type: 3, value: 'what is a monad?' },
      { name: 'model', type: 3, value: 'gemini-3.0-pro' },
    ],
  });
  const original = await finalOriginal(discord, command);
  expect(command.callbacks[0]?.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  expect(original.content).toBe(fixtureAnswer());
  expect(upstream.requests[0]?.body.model).toBe('gemini-3.0-pro');
  expect(textOf(upstream.requests[0]?.body.messages.at(-1)?.content)).toBe('what is a monad?');
  const edits = discord.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original'));
  for (const edit of edits) expect(edit.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
});

test('/ask with an image sends the image to the model and answers in the deferred reply', async () => {
  const { discord, upstream } = await start();
  const { world } = discord;
  const command = discord.runCommand({
    name: 'ask',
    options: [{ name: 'prompt', type: 3, value: 'what is in this picture?' }],
    attachments: { image: { filename: 'cat.png', contentType: 'image/png', size: 50_000 } },
  });
  const original = await finalOriginal(discord, command);
  expect(command.callbacks[0]?.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  expect(original.content).toBe(fixtureAnswer());

  const asked = upstream.requests[0]?.body.messages.at(-1)?.content;
  expect(textOf(asked)).toBe('what is in this picture?');
  const urls = imageUrlsOf(asked);
  expect(urls).toHaveLength(1);
  expect(urls[0]).toMatch(new RegExp(`^https://cdn\\.discordapp\\.com/attachments/${world.channelId}/\\d+/cat\\.png\\?ex=`));
});

test('replying to an /ask answer continues that conversation', async () => {
  const { discord, upstream } = await start();
  const { world } = discord;
  upstream.script({ type: 'answer', text: 'A monad is a monoid in the category of endofunctors.' });
  const command = discord.runCommand({ name: 'ask', options: [{ name: 'prompt', type: 3, value: 'what is a monad?' }] });
  const original = await finalOriginal(discord, command);

  upstream.script({ type: 'answer', text: 'Think of Maybe.' });
  const followUp = discord.sendMessage({ content: 'an example, please?', replyTo: original.id });
  const answers = await finalAnswer(discord, world.channelId, 2);
  expect(answers[1]?.content).toBe('Think of Maybe.');
  expect(answers[1]?.message_reference?.message_id).toBe(followUp.id);
  const sent = upstream.requests[1]?.body.messages.filter((m) => m.role !== 'system') ?? [];
  expect(sent.map((m) => [m.role, textOf(m.content)])).toEqual([
    ['user', 'what is a monad?'],
    ['assistant', 'A monad is a monoid in the category of endofunctors.'],
    ['user', 'an example, please?'],
  ]);
});

test('someone not on DISCORD_ALLOWED_USERS running /ask is told privately it is not enabled, and nothing is asked', async () => {
  const { discord, upstream } = await start((world) => ({ DISCORD_ALLOWED_USERS: world.mod.id }));
  const { world } = discord;
  const refused = discord.runCommand({ name: 'ask', options: [{ name: 'prompt', type: 3, value: 'may I?' }] });
  const callback = await discord.waitUntil(() => refused.callbacks[0]);
  expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
  expect(await replyOf(discord, refused)).toEqual({ content: userText.notAllowed, ephemeral: true });

  // Someone allowed is answered afterwards, so the refused command was handled and passed over.
  const allowed = discord.runCommand({ name: 'ask', options: [{ name: 'prompt', type: 3, value: 'and me?' }], user: world.mod });
  await finalOriginal(discord, allowed);
  expect(upstream.requests.map((r) => textOf(r.body.messages.at(-1)?.content))).toEqual(['and me?']);
});

test('the Stop button stops a streaming answer; the message keeps its text, says so and loses the button', async () => {
  const { discord, upstream } = await start();
  const pieces = answerTranscript({ type: 'answer', text: 'The beginning of a long answer', chunkSize: 100 });
  upstream.script({ type: 'hang', pieces: pieces.slice(0, 2) });
  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> tell me a long story` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  const live = await discord.waitUntil(() =>
    botMessages(discord, thread.id).find((m) => m.content.includes('The beginning') && m.components.length > 0),
  );
  const button = (live.components[0] as { components: { custom_id: string }[] }).components[0];
  expect(button?.custom_id).toBe(`stop:${question.id}:${discord.world.alice.id}`);

  const press = discord.pressButton({ messageId: live.id, customId: button?.custom_id ?? '' });
  const [stopped] = await finalAnswer(discord, thread.id);
  expect(press.callbacks[0]?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
  expect(stopped?.content).toContain('The beginning of a long answer');
  expect(stopped?.content).toContain(userText.stopped);
  expect(botMessages(discord, thread.id)).toHaveLength(1);
});
