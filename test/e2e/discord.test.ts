/**
 * End to end through the real discord.js: people mention the bot, follow up in
 * its threads, reply to it, DM it; what they read and what the model is sent.
 */
import { afterEach, expect, test } from 'vitest';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import { fixtureAnswer } from '../fakes/upstream.ts';
import { botMessages, finalAnswer, textOf } from '../fakes/discord/read.ts';
import type { World } from '../fakes/discord/index.ts';

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(env: Record<string, string> | ((world: World) => Record<string, string>) = {}): Promise<DiscordBotHarness> {
  harness = await startDiscordBot({ env });
  return harness;
}

test('a mention in a channel is answered in a thread started from it, with the whole streamed answer', async () => {
  const { discord } = await start();
  const { world } = discord;
  const question = discord.sendMessage({ content: `<@${world.bot.id}> 用一句话介绍你自己` });

  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  expect(thread.parent_id).toBe(world.channelId);
  expect(thread.name).toBe('用一句话介绍你自己');
  const [answer] = await finalAnswer(discord, thread.id);
  expect(answer?.content).toBe(fixtureAnswer());
  expect(botMessages(discord, world.channelId)).toEqual([]);
});

test('a long question names its thread within Discord’s 100 characters', async () => {
  const { discord, upstream } = await start();
  const long = 'why '.repeat(60).trim();
  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${long}` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  expect(Array.from(thread.name ?? '').length).toBeLessThanOrEqual(100);
  expect(thread.name?.startsWith('why why')).toBe(true);
  await finalAnswer(discord, thread.id);
  expect(textOf(upstream.requests[0]?.body.messages.at(-1)?.content)).toBe(long);
});

test('a follow-up in the bot’s thread needs no mention and sends the earlier turns to the model', async () => {
  const { discord, upstream } = await start();
  const { world } = discord;
  const question = discord.sendMessage({ content: `<@${world.bot.id}> first question` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  await finalAnswer(discord, thread.id);

  upstream.script({ type: 'answer', text: 'Second answer.' });
  discord.sendMessage({ content: 'and a follow-up', channelId: thread.id });
  const answers = await finalAnswer(discord, thread.id, 2);
  expect(answers[1]?.content).toBe('Second answer.');

  const sent = upstream.requests[1]?.body.messages.filter((m) => m.role !== 'system') ?? [];
  expect(sent.map((m) => [m.role, textOf(m.content)])).toEqual([
    ['user', 'first question'],
    ['assistant', fixtureAnswer()],
    ['user', 'and a follow-up'],
  ]);
});

test('in reply mode the answer is a reply, and replying to it continues the same conversation', async () => {
  const { discord, upstream } = await start({ DISCORD_REPLY_MODE: 'reply' });
  const { world } = discord;
  upstream.script({ type: 'answer', text: 'First answer.' });
  const question = discord.sendMessage({ content: `<@${world.bot.id}> first question` });
  const [answer] = await finalAnswer(discord, world.channelId);
  expect(answer?.message_reference?.message_id).toBe(question.id);
  expect(discord.threads()).toEqual([]);

  upstream.script({ type: 'answer', text: 'Second answer.' });
  discord.sendMessage({ content: 'tell me more', replyTo: answer?.id ?? '' });
  const answers = await finalAnswer(discord, world.channelId, 2);
  expect(answers[1]?.content).toBe('Second answer.');
  const sent = upstream.requests[1]?.body.messages.filter((m) => m.role !== 'system') ?? [];
  expect(sent.map((m) => textOf(m.content))).toEqual(['first question', 'First answer.', 'tell me more']);
  // The reply pings nobody, not even the person asking.
  expect(discord.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).map((r) => r.body.allowed_mentions)).toEqual([
    { parse: [], replied_user: false },
    { parse: [], replied_user: false },
  ]);
});

test('a DM is answered without a mention', async () => {
  const { discord } = await start();
  const dm = discord.dmChannel();
  discord.sendMessage({ content: 'hello in private', channelId: dm.id });
  const [answer] = await finalAnswer(discord, dm.id);
  expect(answer?.content).toBe(fixtureAnswer());
});

test('messages from other bots and plain channel chatter get no answer', async () => {
  const { discord, upstream } = await start();
  const { world } = discord;
  discord.sendMessage({ content: `<@${world.bot.id}> I am a bot`, author: world.otherBot });
  discord.sendMessage({ content: 'just people talking' });
  // A later mention is answered, so the earlier messages were seen and passed over.
  const question = discord.sendMessage({ content: `<@${world.bot.id}> now me` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  await finalAnswer(discord, thread.id);
  expect(discord.threads()).toHaveLength(1);
  expect(upstream.requests).toHaveLength(1);
});

test('with DISCORD_ALLOWED_ROLES set, only members holding a listed role are answered', async () => {
  const { discord, upstream } = await start((world) => ({ DISCORD_ALLOWED_ROLES: world.modRoleId }));
  const { world } = discord;
  const fromAlice = discord.sendMessage({ content: `<@${world.bot.id}> me too?` });
  const fromMod = discord.sendMessage({ content: `<@${world.bot.id}> a question`, author: world.mod });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === fromMod.id));
  await finalAnswer(discord, thread.id);
  expect(discord.threads().map((t) => t.id)).toEqual([fromMod.id]);
  expect(discord.requests.some((r) => r.path.includes(fromAlice.id))).toBe(false);
  expect(upstream.requests).toHaveLength(1);
});

test('@everyone in the model’s answer pings nobody: every create and edit says parse: []', async () => {
  const { discord, upstream } = await start();
  upstream.script({ type: 'answer', text: '@everyone look at this, and <@&123456789012345678> too', chunkSize: 8 });
  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> say it` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  const [answer] = await finalAnswer(discord, thread.id);
  expect(answer?.content).toContain('@everyone');
  const writes = discord.requests.filter((r) => /\/channels\/\d+\/messages(\/\d+)?$/.test(r.path) && (r.method === 'POST' || r.method === 'PATCH'));
  expect(writes.length).toBeGreaterThanOrEqual(2);
  for (const write of writes) expect(write.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
});
