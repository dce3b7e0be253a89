/**
 * End to end through the real discord.js: Regenerate, an edited question the
 * answer follows, 👍/👎 stored and counted, and "Ask Gemini about this". What
 * people see in the fake Discord, what the model was sent, what history holds.
 */
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { afterEach, expect, test } from 'vitest';
import { HistoryStore } from '../../src/history/store.ts';
import { userTextIn } from '../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { FakeDiscord, FakeMessage, FakeUser } from '../fakes/discord/index.ts';
import { botMessages, buttonId, endsAnswer, finalAnswer, imageUrlsOf, isLive, replyOf, textOf } from '../fakes/discord/read.ts';
import type { FakeInteraction } from '../fakes/discord/state.ts';
import { freePort } from '../support/free-port.ts';

const userText = userTextIn('en');

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const said = (h: DiscordBotHarness, n: number) =>
  h.upstream.requests[n]?.body.messages.filter((m) => m.role !== 'system').map((m) => [m.role, textOf(m.content)]);

const stored = async (h: DiscordBotHarness, threadId: string) =>
  (await new HistoryStore(h.bot.store.keyv('history')).load(`discord:${h.discord.world.guildId}:${threadId}`)).messages;

/** Alice mentions the bot in the channel; resolves with the thread it answered in and the answer's messages, once all are written. */
async function asked(discord: FakeDiscord, question: string): Promise<{ thread: string; question: FakeMessage; answer: FakeMessage[] }> {
  const message = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${question}` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === message.id));
  const answer = await discord.waitUntil(() => {
    const mine = botMessages(discord, thread.id);
    return mine.length > 0 && endsAnswer(mine.at(-1)!) ? mine : undefined;
  });
  return { thread: thread.id, question: message, answer };
}

/** Resolves once the thread's newest answer reads `text` and is finished. */
const answerReads = (discord: FakeDiscord, threadId: string, text: string) =>
  discord.waitUntil(() => {
    const last = botMessages(discord, threadId).filter((m) => (m.flags & MessageFlags.Ephemeral) === 0).at(-1);
    return last && last.content === text && !isLive(last) ? last : undefined;
  });

const press = (discord: FakeDiscord, message: FakeMessage, prefix: string, user?: FakeUser): FakeInteraction =>
  discord.pressButton({ messageId: message.id, customId: buttonId(message, prefix), ...(user ? { user } : {}) });

/** The ephemeral follow-up an interaction got after it was acknowledged. */
const followUpOf = (discord: FakeDiscord, interaction: FakeInteraction) =>
  discord.waitUntil(() => discord.requests.find((r) => r.method === 'POST' && r.path.includes(`/webhooks/`) && r.path.endsWith(interaction.token) && r.status === 200)?.body as
    | { content: string; flags: number }
    | undefined);

test('Regenerate sends the same question again and rewrites the answer in its own message; history holds one exchange', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  const { thread, answer } = await asked(discord, 'what is a monad?');
  const last = answer.at(-1)!;
  expect(endsAnswer(last)).toBe(true);

  upstream.script({ type: 'answer', text: 'A monad is a way to chain steps.' });
  const pressed = press(discord, last, 'regen:');
  const rewritten = await answerReads(discord, thread, 'A monad is a way to chain steps.');

  expect(pressed.callbacks[0]?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
  expect(rewritten.id).toBe(last.id);
  expect(botMessages(discord, thread)).toHaveLength(1);
  expect(endsAnswer(rewritten)).toBe(true);
  expect(said(h, 1)).toEqual(said(h, 0));
  await h.bot.core.drain(60_000);
  expect((await stored(h, thread)).map((m) => [m.role, m.text])).toEqual([
    ['user', 'what is a monad?'],
    ['assistant', 'A monad is a way to chain steps.'],
  ]);
});

test('a split answer regenerated into a shorter one keeps its first message and deletes the parts it no longer needs', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  upstream.script({ type: 'answer', text: Array.from({ length: 120 }, (_, i) => `Sentence ${i} of a long answer.`).join(' '), chunkSize: 500 });
  const { thread, answer } = await asked(discord, 'tell me everything');
  expect(answer.length).toBeGreaterThanOrEqual(2);
  // Only the last part carries the answer's buttons.
  expect(answer.map(endsAnswer)).toEqual(answer.map((_, i) => i === answer.length - 1));

  upstream.script({ type: 'answer', text: 'In short: everything is fine.' });
  press(discord, answer.at(-1)!, 'regen:');
  const rewritten = await answerReads(discord, thread, 'In short: everything is fine.');
  expect(rewritten.id).toBe(answer[0]?.id);
  expect(discord.deletedMessages.map((m) => m.id)).toEqual(answer.slice(1).map((m) => m.id));
  expect(botMessages(discord, thread).map((m) => m.id)).toEqual([answer[0]?.id]);
});

test('Regenerate pressed by another member is refused privately and nothing changes; a member with Manage Messages may press it', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  const { thread, answer } = await asked(discord, 'a question of mine');
  const last = answer.at(-1)!;

  const refused = press(discord, last, 'regen:', discord.world.bob);
  expect(await replyOf(discord, refused)).toEqual({ content: userText.onlyAskerMay('regenerate', userText.answerModerators.discord), ephemeral: true });
  expect(upstream.requests).toHaveLength(1);
  expect(discord.world.messages.get(last.id)?.content).toBe(last.content);

  upstream.script({ type: 'answer', text: 'Regenerated by a moderator.' });
  press(discord, last, 'regen:', discord.world.moderator);
  await answerReads(discord, thread, 'Regenerated by a moderator.');
});

test('only the newest answer of a conversation can be regenerated: an older one says why, privately', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  const { thread, answer } = await asked(discord, 'first question');
  upstream.script({ type: 'answer', text: 'Second answer.' });
  discord.sendMessage({ content: 'second question', channelId: thread });
  await answerReads(discord, thread, 'Second answer.');

  const older = press(discord, answer.at(-1)!, 'regen:');
  const told = await followUpOf(discord, older);
  expect(told).toMatchObject({ content: userText.regenerateRefused['not-newest'], flags: MessageFlags.Ephemeral });
  expect(upstream.requests).toHaveLength(2);
});

test('an edit to the newest question answers it again from the edited text; an edit to an older one, or a link preview, changes nothing', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  const me = `<@${discord.world.bot.id}>`;
  const { thread, question } = await asked(discord, 'what is the capitol of France?');
  upstream.script({ type: 'answer', text: 'Paris.' });
  discord.editMessage({ messageId: question.id, content: `${me} what is the capital of France?` });
  await answerReads(discord, thread, 'Paris.');
  expect(said(h, 1)?.at(-1)).toEqual(['user', 'what is the capital of France?']);
  expect(botMessages(discord, thread)).toHaveLength(1);

  upstream.script({ type: 'answer', text: 'Rome.' });
  const followUp = discord.sendMessage({ content: 'and of Italy?', channelId: thread });
  await answerReads(discord, thread, 'Rome.');
  // A link preview on the newest question (same text), then an edit of the older one: neither is answered.
  discord.unfurl({ messageId: followUp.id, embeds: [{ type: 'link', url: 'https://example.com', title: 'Example' }] });
  discord.editMessage({ messageId: question.id, content: `${me} what is the capital of Spain?` });
  // A question after both is answered next: the edits were seen and passed over.
  upstream.script({ type: 'answer', text: 'Berlin.' });
  discord.sendMessage({ content: 'and of Germany?', channelId: thread });
  await answerReads(discord, thread, 'Berlin.');
  expect(upstream.requests).toHaveLength(4);
  await h.bot.core.drain(60_000);
  expect((await stored(h, thread)).filter((m) => m.role === 'user').map((m) => m.text)).toEqual([
    'what is the capital of France?',
    'and of Italy?',
    'and of Germany?',
  ]);
});

test('👍 and 👎 are stored with the answer, acknowledged privately and counted in /metrics by model; a second press changes the vote', async () => {
  const port = await freePort();
  const h = (harness = await startDiscordBot({ env: { HEALTH_PORT: String(port) } }));
  const { discord } = h;
  const { thread, answer } = await asked(discord, 'rate me');
  const last = answer.at(-1)!;

  expect(await replyOf(discord, press(discord, last, 'vote:up:'))).toEqual({ content: userText.feedbackRecorded('up', 'new'), ephemeral: true });
  expect(await replyOf(discord, press(discord, last, 'vote:up:', discord.world.bob))).toEqual({ content: userText.feedbackRecorded('up', 'new'), ephemeral: true });
  expect(await replyOf(discord, press(discord, last, 'vote:down:'))).toEqual({ content: userText.feedbackRecorded('down', 'changed'), ephemeral: true });

  const rated = (await stored(h, thread)).at(-1);
  expect(rated?.role === 'assistant' && rated.feedback).toEqual({ [discord.world.alice.id]: 'down', [discord.world.bob.id]: 'up' });
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toMatch(/bot_feedback_total\{model="gemini-2.5-pro",rating="up"\} 2/);
  expect(metrics).toMatch(/bot_feedback_total\{model="gemini-2.5-pro",rating="down"\} 1/);
  expect(metrics).toMatch(/bot_feedback_retracted_total\{model="gemini-2.5-pro",rating="up"\} 1/);
});

test('"Ask Gemini about this" opens a thread on the message whose first question carries its text, file and author', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  const target = discord.sendMessage({
    content: 'The deploy failed again, see the log',
    author: discord.world.bob,
    attachments: [{ filename: 'screenshot.png', contentType: 'image/png', size: 40_000 }],
  });
  upstream.script({ type: 'answer', text: 'Bob says the deploy failed.' });
  const command = discord.runMessageCommand({ name: userText.askAboutCommand, targetId: target.id });

  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === target.id));
  await answerReads(discord, thread.id, 'Bob says the deploy failed.');
  expect(command.callbacks[0]?.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  const reply = discord.world.messages.get(command.originalMessageId ?? '');
  expect(reply?.content).toBe(userText.askAboutWhere(`<#${thread.id}>`));

  const sent = upstream.requests[0]?.body.messages.filter((m) => m.role !== 'system') ?? [];
  expect(sent.map((m) => textOf(m.content))).toEqual(['[bob]: The deploy failed again, see the log', `[alice]: ${userText.askAboutQuestion}`]);
  expect(imageUrlsOf(sent[0]?.content)).toHaveLength(1);

  // The thread is the bot's: a follow-up there needs no mention.
  upstream.script({ type: 'answer', text: 'Check the build step.' });
  discord.sendMessage({ content: 'what should I check?', channelId: thread.id });
  await answerReads(discord, thread.id, 'Check the build step.');
});

test('"Ask Gemini about this" on a message inside a thread, where no thread can start, answers in a DM', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  const root = discord.sendMessage({ content: 'Release planning', author: discord.world.bob });
  const thread = discord.userThread({ name: 'Release plan', owner: discord.world.bob, from: root });
  const target = discord.sendMessage({ content: 'We ship on Friday', author: discord.world.bob, channelId: thread.id });
  upstream.script({ type: 'answer', text: 'Bob plans to ship on Friday.' });
  discord.runMessageCommand({ name: userText.askAboutCommand, targetId: target.id });

  const dm = await discord.waitUntil(() => [...discord.world.channels.values()].find((c) => c.type === 1));
  const [opener, answer] = await finalAnswer(discord, dm.id, 2);
  expect(opener?.content).toContain(target.id);
  expect(answer?.content).toBe('Bob plans to ship on Friday.');
  expect(textOf(upstream.requests[0]?.body.messages.filter((m) => m.role === 'user')[0]?.content)).toContain('We ship on Friday');
  // Only the private note saying where the answer is stays in the thread, for the one who asked.
  expect(botMessages(discord, thread.id).map((m) => [m.content, (m.flags & MessageFlags.Ephemeral) !== 0])).toEqual([[userText.askAboutWhere(userText.askAboutDmPlace), true]]);
});

test('a regeneration that fails puts the previous answer back with the error below it, and history keeps it', async () => {
  const h = (harness = await startDiscordBot());
  const { discord, upstream } = h;
  upstream.script({ type: 'answer', text: 'The first answer.' });
  const { thread, answer } = await asked(discord, 'a question');
  upstream.script({ type: 'error', status: 400, body: { success: false, error: { code: 'invalid_request', message: 'bad' }, trace_id: 'trace-9' } });
  press(discord, answer.at(-1)!, 'regen:');
  const shown = await discord.waitUntil(() => {
    const last = discord.world.messages.get(answer.at(-1)!.id);
    return last && last.content.includes(userText.regenerateKeptPrevious('')) && !isLive(last) ? last : undefined;
  });
  expect(shown.content.startsWith('The first answer.\n\n')).toBe(true);
  expect(shown.content).toContain('trace-9');
  await h.bot.core.drain(60_000);
  expect((await stored(h, thread)).map((m) => m.text)).toEqual(['a question', 'The first answer.']);
});

test('in reply mode Regenerate rewrites the reply in the channel, in the conversation of its reply chain', async () => {
  const h = (harness = await startDiscordBot({ env: { DISCORD_REPLY_MODE: 'reply' } }));
  const { discord, upstream } = h;
  const { world } = discord;
  upstream.script({ type: 'answer', text: 'First.' });
  const question = discord.sendMessage({ content: `<@${world.bot.id}> the question` });
  const [answer] = await finalAnswer(discord, world.channelId);
  upstream.script({ type: 'answer', text: 'Again.' });
  press(discord, answer!, 'regen:');
  const rewritten = await answerReads(discord, world.channelId, 'Again.');
  expect(rewritten.id).toBe(answer?.id);
  expect(rewritten.message_reference?.message_id).toBe(question.id);
  await h.bot.core.drain(60_000);
  const history = await new HistoryStore(h.bot.store.keyv('history')).load(`discord:${world.guildId}:${world.channelId}:${question.id}`);
  expect(history.messages.map((m) => m.text)).toEqual(['the question', 'Again.']);
});
