/**
 * The bot speaks each Discord person's language, end to end through the real
 * discord.js: BOT_LOCALE=zh-TW for everyone; under `auto` (the default) a slash
 * command and a button in the language of the client that used it (an
 * interaction's `locale`), a mention in the server's preferred locale; a language
 * the bot does not speak in English.
 */
import { afterEach, expect, test } from 'vitest';
import { userTextIn } from '../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { World } from '../fakes/discord/index.ts';
import { botMessages, buttonId, endsAnswer, finalAnswer, replyOf } from '../fakes/discord/read.ts';
import { fixture } from '../fakes/upstream.ts';

const MODEL = 'gemini-2.5-pro';
const en = userTextIn('en');
const zhTW = userTextIn('zh-TW');
const zhCN = userTextIn('zh-CN');

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(env: Record<string, string> = {}, world?: (world: World) => void): Promise<DiscordBotHarness> {
  harness = await startDiscordBot({ env: { LLM_MODELS: MODEL, ...env }, ...(world ? { world } : {}) });
  return harness;
}

/** Mentions the bot in the channel and resolves with the thread it answers in. */
async function mention(h: DiscordBotHarness, question: string): Promise<string> {
  const message = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> ${question}` });
  return (await h.discord.waitUntil(() => h.discord.threads().find((t) => t.id === message.id))).id;
}

/** The labels of a message's buttons, in order (emoji-only ones as ''). */
const labels = (message: { components: unknown[] }) =>
  (message.components as { components?: { label?: string }[] }[]).flatMap((row) => (row.components ?? []).map((c) => c.label ?? ''));

test('BOT_LOCALE=zh-TW: an upstream 500 is told in Traditional Chinese with its trace id, under a Traditional Chinese Regenerate', async () => {
  const h = await start({ BOT_LOCALE: 'zh-TW', LLM_MAX_RETRIES: '0' });
  const error = JSON.parse(fixture('error.json')) as { trace_id: string };
  h.upstream.script({ type: 'error', status: 500, body: error });
  const threadId = await mention(h, 'will this work?');
  const [shown] = await finalAnswer(h.discord, threadId);
  expect(shown?.content).toBe(zhTW.upstreamError('unavailable', { model: MODEL, traceId: error.trace_id }));
  expect(shown?.content).toBe(`模型服務目前沒有回應，請過一分鐘再試。（追蹤 ID：\`${error.trace_id}\`）`);
  expect(labels(shown!)).toEqual(['重新產生', '', '']);
});

test('auto: /model from a zh-CN client is answered in Simplified Chinese, from an en-US client in English', async () => {
  const h = await start({}, (world) => world.userLocales.set(world.bob.id, 'zh-CN'));
  const { discord } = h;
  const chinese = await replyOf(discord, discord.runCommand({ name: 'model', user: discord.world.bob }));
  expect(chinese).toEqual({ content: zhCN.modelList([MODEL], MODEL), ephemeral: true });
  expect(chinese.content).toBe('可选模型：\n• `gemini-2.5-pro`（当前）');
  const english = await replyOf(discord, discord.runCommand({ name: 'model', user: discord.world.alice }));
  expect(english.content).toBe(en.modelList([MODEL], MODEL));
});

test('auto: /usage from a zh-TW client reports in Traditional Chinese; a client language the bot does not speak gets English', async () => {
  const h = await start({ QUOTA_USER_DAILY_TOKENS: '5000', TZ: 'UTC' }, (world) => {
    world.userLocales.set(world.bob.id, 'zh-TW');
    world.userLocales.set(world.alice.id, 'fr');
  });
  const { discord } = h;
  const chinese = await replyOf(discord, discord.runCommand({ name: 'usage', user: discord.world.bob }));
  expect(chinese.content.split('\n')[0]).toBe('**你**今天已經用了 0 個 token，每日額度是 5,000 個。');
  expect(chinese.content).toMatch(/^用量會在 00:00（UTC） 重新計算，也就是 .+後。$/m);
  const french = await replyOf(discord, discord.runCommand({ name: 'usage', user: discord.world.alice }));
  expect(french.content.split('\n')[0]).toBe('**You** have used 0 of your 5,000 tokens today.');
});

test("auto: a button is answered in the presser's language: a zh-CN member refused Regenerate on someone else's answer", async () => {
  const h = await start({}, (world) => world.userLocales.set(world.bob.id, 'zh-CN'));
  const { discord } = h;
  const threadId = await mention(h, 'hi');
  const [answer] = await finalAnswer(discord, threadId);
  expect(endsAnswer(answer!)).toBe(true);
  const press = discord.pressButton({ messageId: answer!.id, customId: buttonId(answer!, 'regen:'), user: discord.world.bob });
  expect(await replyOf(discord, press)).toEqual({ content: zhCN.onlyAskerMay('regenerate', zhCN.answerModerators.discord), ephemeral: true });
  expect(zhCN.answerModerators.discord).toBe('拥有**管理消息**权限的成员');
});

test("auto: a mention is answered in the server's preferred locale: its thinking status, Stop, notes and buttons", async () => {
  const h = await start({ LLM_MAX_RETRIES: '0' }, (world) => {
    world.guildLocale = 'zh-TW';
  });
  const { discord } = h;
  const first = await mention(h, 'hello');
  await finalAnswer(discord, first);
  // While it streamed: the thinking status and Stop, in the server's language.
  const writes = discord.requests.filter((r) => (r.method === 'POST' || r.method === 'PATCH') && r.path.startsWith(`/channels/${first}/messages`));
  const live = writes.filter((r) => r.body?.components?.[0]?.components?.[0]?.custom_id?.startsWith('stop:'));
  expect(live.length).toBeGreaterThan(0);
  expect(live.every((r) => r.body.components[0].components[0].label === '停止')).toBe(true);
  expect(writes.some((r) => String(r.body?.content).startsWith('💭 *思考中'))).toBe(true);

  h.upstream.script({ type: 'error', status: 500, body: JSON.parse(fixture('error.json')) });
  const second = await mention(h, 'again');
  const [shown] = await finalAnswer(discord, second);
  expect(shown?.content.startsWith('模型服務目前沒有回應')).toBe(true);
  expect(labels(shown!)).toEqual(['重新產生', '', '']);
});

test('auto: a server whose preferred locale the bot does not speak is answered in English', async () => {
  const h = await start({ LLM_MAX_RETRIES: '0' }, (world) => {
    world.guildLocale = 'ja';
  });
  h.upstream.script({ type: 'error', status: 500, body: JSON.parse(fixture('error.json')) });
  const threadId = await mention(h, 'hello');
  const [shown] = await finalAnswer(h.discord, threadId);
  expect(shown?.content.startsWith(en.upstreamError('unavailable', { model: MODEL, traceId: undefined }))).toBe(true);
  expect(labels(shown!)).toEqual(['Regenerate', '', '']);
  expect(botMessages(h.discord, threadId)).toHaveLength(1);
});
