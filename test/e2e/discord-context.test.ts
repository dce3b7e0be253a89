/**
 * End to end through the real discord.js: the bot called into a conversation
 * reads it. A reply chain, a thread or forum post it did not open, a forwarded
 * message, an embed; authors named once two people speak; each earlier message
 * sent once across turns; the system prompt's date and place filled.
 */
import { afterEach, expect, test } from 'vitest';
import { formatDate } from '../../src/conversation/system-prompt.ts';
import { userTextIn } from '../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { FakeDiscord } from '../fakes/discord/index.ts';
import { finalAnswer, textOf } from '../fakes/discord/read.ts';
import type { FakeUpstream } from '../fakes/upstream.ts';

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

/** The `[role, text]` of each message the model was sent in request `i`, the system prompt left out. */
const sent = (upstream: FakeUpstream, i: number) =>
  (upstream.requests[i]?.body.messages ?? []).filter((m) => m.role !== 'system').map((m) => [m.role, textOf(m.content)]);

/** Mentions the bot in the channel and waits for the answer in the thread it opens. */
async function askInChannel(discord: FakeDiscord, content: string, opts: { replyTo?: string } = {}) {
  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${content}`, ...opts });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  await finalAnswer(discord, thread.id);
  return { question, thread };
}

test('a mention replying to someone else’s message carries it and the reply chain above it, each named', async () => {
  const { discord, upstream } = await start();
  const { alice, mod } = discord.world;
  const first = discord.sendMessage({ content: 'the nightly build is red', author: alice });
  const reply = discord.sendMessage({ content: 'exit code 137 on the runner', author: mod, replyTo: first.id });
  await askInChannel(discord, 'what does this mean?', { replyTo: reply.id });
  expect(sent(upstream, 0)).toEqual([
    ['user', '[alice]: the nightly build is red'],
    ['user', '[mod]: exit code 137 on the runner'],
    ['user', '[alice]: what does this mean?'],
  ]);
});

test('one person talking is not named: replying to one’s own message', async () => {
  const { discord, upstream } = await start();
  const log = discord.sendMessage({ content: 'my build log: Killed (OOM)' });
  await askInChannel(discord, 'why?', { replyTo: log.id });
  expect(sent(upstream, 0)).toEqual([
    ['user', 'my build log: Killed (OOM)'],
    ['user', 'why?'],
  ]);
});

test('a mention in a thread the bot did not open carries the thread from its first message; a follow-up carries each earlier message once', async () => {
  const { discord, upstream } = await start();
  const { alice, mod, bot } = discord.world;
  const topic = discord.sendMessage({ content: 'Release plan for Friday', author: mod });
  const thread = discord.userThread({ name: 'Release plan', owner: mod, from: topic });
  discord.sendMessage({ content: 'I can do the deploy', author: mod, channelId: thread.id });
  discord.sendMessage({ content: 'who checks the changelog?', author: alice, channelId: thread.id });
  upstream.script({ type: 'answer', text: 'Mod deploys; nobody checks the changelog yet.' });
  const question = discord.sendMessage({ content: `<@${bot.id}> summarize`, channelId: thread.id });
  await finalAnswer(discord, thread.id);
  expect(sent(upstream, 0)).toEqual([
    ['user', '[mod]: Release plan for Friday'],
    ['user', '[mod]: I can do the deploy'],
    ['user', '[alice]: who checks the changelog?'],
    ['user', '[alice]: summarize'],
  ]);
  const read = discord.requests.find((r) => r.method === 'GET' && r.path === `/channels/${thread.id}/messages`);
  expect(read?.query.get('before')).toBe(question.id);
  expect(read?.query.get('limit')).toBe('51');

  discord.sendMessage({ content: 'changelog done', author: mod, channelId: thread.id });
  upstream.script({ type: 'answer', text: 'Nothing left.' });
  discord.sendMessage({ content: `<@${bot.id}> anything left?`, channelId: thread.id });
  await finalAnswer(discord, thread.id, 2);
  expect(sent(upstream, 1)).toEqual([
    ['user', '[mod]: Release plan for Friday'],
    ['user', '[mod]: I can do the deploy'],
    ['user', '[alice]: who checks the changelog?'],
    ['user', '[alice]: summarize'],
    ['assistant', 'Mod deploys; nobody checks the changelog yet.'],
    ['user', '[mod]: changelog done'],
    ['user', '[alice]: anything left?'],
  ]);
});

test('a mention in a forum post carries the post', async () => {
  const { discord, upstream } = await start();
  const post = discord.userThread({ name: 'API keys', owner: discord.world.mod, forumPost: 'How do I rotate the API key?' });
  discord.sendMessage({ content: `<@${discord.world.bot.id}> can you answer this?`, channelId: post.id });
  await finalAnswer(discord, post.id);
  expect(sent(upstream, 0)).toEqual([
    ['user', '[mod]: How do I rotate the API key?'],
    ['user', '[alice]: can you answer this?'],
  ]);
});

test('a 429 on reading the thread is waited out, and the thread still reaches the model', async () => {
  const { discord, upstream } = await start();
  const post = discord.userThread({ name: 'Flaky test', owner: discord.world.mod, forumPost: 'test_login fails one run in ten' });
  discord.failNext({ method: 'GET', path: new RegExp(`^/channels/${post.id}/messages$`) }, { type: 'rate-limited', retryAfterMs: 300 });
  discord.sendMessage({ content: `<@${discord.world.bot.id}> ideas?`, channelId: post.id });
  await finalAnswer(discord, post.id);
  const reads = discord.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${post.id}/messages`);
  expect(reads.map((r) => r.status)).toEqual([429, 200]);
  expect(sent(upstream, 0)[0]).toEqual(['user', '[mod]: test_login fails one run in ten']);
});

test('a forwarded message counts as content', async () => {
  const { discord, upstream } = await start();
  const original = discord.sendMessage({ content: 'The quarterly numbers are in: revenue up 12%', author: discord.world.mod });
  const dm = discord.dmChannel();
  discord.sendMessage({ content: '', channelId: dm.id, forwardOf: original.id });
  await finalAnswer(discord, dm.id);
  expect(sent(upstream, 0)).toEqual([['user', '[forwarded message]\nThe quarterly numbers are in: revenue up 12%']]);
});

test('the text of an embed counts as content: a reply to a bot’s alert', async () => {
  const { discord, upstream } = await start();
  const alert = discord.sendMessage({
    content: '',
    author: discord.world.otherBot,
    embeds: [{ type: 'rich', title: 'Deploy failed', description: 'service api, exit 137', fields: [{ name: 'Region', value: 'eu-west-1', inline: true }] }],
  });
  await askInChannel(discord, 'what happened?', { replyTo: alert.id });
  expect(sent(upstream, 0)).toEqual([
    ['user', '[otherbot]: [embed: Deploy failed]\nservice api, exit 137\nRegion: eu-west-1'],
    ['user', '[alice]: what happened?'],
  ]);
});

test('SYSTEM_PROMPT’s {date}, {platform}, {channel} and {bot_name} are filled for the turn', async () => {
  const { discord, upstream } = await start({ SYSTEM_PROMPT: 'Today is {date}. You are {bot_name} on {platform} in {channel}.', TZ: 'UTC' });
  const before = formatDate(Date.now(), 'UTC');
  await askInChannel(discord, 'what day is it?');
  const after = formatDate(Date.now(), 'UTC');
  const prompt = upstream.requests[0]?.body.messages[0];
  expect(prompt?.role).toBe('system');
  // The turn ran between the two readings of the clock: its date is one of them (they differ only across midnight).
  expect([before, after].map((date) => `Today is ${date}. You are Gemini on Discord in the thread “what day is it?” in #general.`)).toContain(prompt?.content);
});

test('without Read Message History the answer says it could not read the thread, and still answers the question', async () => {
  const { discord, upstream } = await start();
  const post = discord.userThread({ name: 'Secret', owner: discord.world.mod, forumPost: 'hidden history' });
  discord.failNext({ method: 'GET', path: new RegExp(`^/channels/${post.id}/messages$`) }, { type: 'status', status: 403, body: { message: 'Missing Access', code: 50001 } });
  discord.sendMessage({ content: `<@${discord.world.bot.id}> hello?`, channelId: post.id });
  const [answer] = await finalAnswer(discord, post.id);
  expect(answer?.content.startsWith(userText.earlierUnreadable('forbidden'))).toBe(true);
  expect(sent(upstream, 0)).toEqual([['user', 'hello?']]);
});

test('past CONTEXT_MAX_MESSAGES the newest earlier messages are read, and the answer says older ones were left out', async () => {
  const { discord, upstream } = await start({ CONTEXT_MAX_MESSAGES: '2' });
  const post = discord.userThread({ name: 'Long talk', owner: discord.world.mod, forumPost: 'first' });
  for (const content of ['second', 'third', 'fourth']) discord.sendMessage({ content, author: discord.world.mod, channelId: post.id });
  discord.sendMessage({ content: `<@${discord.world.bot.id}> recap`, channelId: post.id });
  const [answer] = await finalAnswer(discord, post.id);
  expect(answer?.content.startsWith(userText.earlierLeftOut)).toBe(true);
  expect(sent(upstream, 0)).toEqual([
    ['user', '[mod]: third'],
    ['user', '[mod]: fourth'],
    ['user', '[alice]: recap'],
  ]);
  expect(discord.requests.find((r) => r.path === `/channels/${post.id}/messages`)?.query.get('limit')).toBe('3');
});
