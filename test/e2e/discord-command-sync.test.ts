/**
 * Slash commands after `npm start` alone: the bot reads the registered commands
 * at start-up and overwrites them (one bulk PUT) only when they differ from the
 * code's; a restart with unchanged commands writes nothing; a failure to sync is
 * a clear warning and mentions are still answered.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { commandDefinitions } from '../../adapters/discord/commands.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.ts';
import { finalAnswer } from '../fakes/discord/read.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { captureLogs, type LogCapture } from '../support/log-capture.ts';

let discord: FakeDiscord;
let upstream: FakeUpstream;
const bots: DiscordBotHarness[] = [];
afterEach(async () => {
  await Promise.allSettled(bots.splice(0).map((b) => b.stop()));
  await Promise.allSettled([discord.close(), upstream.close()]);
});

/** Starts the bot on this test's fakes (a second start is a restart against the same Discord). */
async function start(env: Record<string, string> = {}): Promise<{ bot: DiscordBotHarness; logs: LogCapture }> {
  const logs = captureLogs();
  const bot = await startDiscordBot({ env, logger: logs.logger, reuse: { discord, upstream } });
  bots.push(bot);
  return { bot, logs };
}

/** Resolves with the sync's report once the bot has logged it. */
const syncReport = (logs: LogCapture) =>
  vi.waitFor(
    () => {
      const line = logs.lines().find((l) => l.msg.includes('slash commands'));
      if (!line) throw new Error('no sync report yet');
      return line;
    },
    { timeout: 10_000 },
  );

/** A command or option as registered, with its localizations. */
interface Described {
  readonly name: string;
  readonly type?: number;
  readonly description_localizations?: Record<string, string>;
  readonly name_localizations?: Record<string, string>;
  readonly options?: Described[];
}

const commandCalls = (fake: FakeDiscord) => fake.requests.filter((r) => /^\/applications\/\d+\/(guilds\/\d+\/)?commands$/.test(r.path));

test('a first start registers the commands for DISCORD_GUILD_ID in one PUT; a restart with the same commands writes nothing', async () => {
  discord = await startFakeDiscord();
  upstream = await startFakeUpstream();
  const env = { DISCORD_GUILD_ID: discord.world.guildId };
  const first = await start(env);
  expect((await syncReport(first.logs)).msg).toBe('discord slash commands updated');
  const route = `/applications/${discord.world.applicationId}/guilds/${discord.world.guildId}/commands`;
  expect(commandCalls(discord).map((r) => [r.method, r.path, r.query.get('with_localizations')])).toEqual([
    ['GET', route, 'true'],
    ['PUT', route, null],
  ]);
  expect(commandCalls(discord)[1]?.body).toEqual(commandDefinitions);
  expect(discord.registeredCommands.map((r) => r.commands.map((c) => (c as { name: string }).name))).toEqual([commandDefinitions.map((c) => c.name)]);
  // Names stay English; every description (and every option's) comes in Traditional and Simplified Chinese too.
  const registered = discord.registeredCommands[0]?.commands as Described[];
  expect(registered.map((c) => c.name)).toEqual(['model', 'reset', 'ask', 'persona', 'usage', 'Ask Gemini about this']);
  for (const described of registered.flatMap((c) => (c.type === 3 ? c.options ?? [] : [c, ...(c.options ?? [])]))) {
    expect(Object.keys(described.description_localizations ?? {}), described.name).toEqual(['zh-TW', 'zh-CN']);
  }
  expect(registered.find((c) => c.name === 'usage')?.description_localizations).toEqual({
    'zh-TW': '你和這個頻道今天用了多少 token，以及額度上限（只有你看得到）',
    'zh-CN': '你和本频道今天用了多少 token，以及额度上限（仅你可见）',
  });
  expect(registered.find((c) => c.type === 3)?.name_localizations).toEqual({ 'zh-TW': '向 Gemini 詢問這則訊息', 'zh-CN': '向 Gemini 询问这条消息' });

  await first.bot.stop();
  const second = await start(env);
  expect((await syncReport(second.logs)).msg).toBe('discord slash commands are current');
  expect(commandCalls(discord).map((r) => r.method)).toEqual(['GET', 'PUT', 'GET']);
});

test('global commands that differ from the code (an edited description, a command no longer defined) are overwritten', async () => {
  discord = await startFakeDiscord();
  upstream = await startFakeUpstream();
  const stale = commandDefinitions.map((c) => (c.name === 'reset' ? { ...c, description: 'Old words' } : c));
  // What an older version registered: /reset worded differently, and a /horoscope it no longer has.
  const rest = await fetch(`${discord.apiBase}/v10/applications/${discord.world.applicationId}/commands`, {
    method: 'PUT',
    headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
    body: JSON.stringify([...stale, { name: 'horoscope', description: 'Read the stars', type: 1 }]),
  });
  expect(rest.status).toBe(200);
  const { logs } = await start();
  const report = await syncReport(logs);
  expect(report.msg).toBe('discord slash commands updated');
  expect(report.differences).toEqual(['/reset: description differs', '/horoscope is registered but no longer defined']);
  const puts = commandCalls(discord).filter((r) => r.method === 'PUT');
  expect(puts.at(-1)?.path).toBe(`/applications/${discord.world.applicationId}/commands`);
  expect(puts.at(-1)?.body).toEqual(commandDefinitions);
});

test('when Discord refuses the commands the bot warns clearly and still answers mentions', async () => {
  discord = await startFakeDiscord();
  upstream = await startFakeUpstream();
  discord.failNext({ method: 'GET', path: /\/commands$/ }, { type: 'status', status: 403, body: { message: 'Missing Access', code: 50001 } });
  const { logs } = await start({ DISCORD_GUILD_ID: discord.world.guildId });
  const report = await syncReport(logs);
  expect(report.level).toBe(40);
  expect(report.msg).toContain('could not sync the discord slash commands; mentions still work');
  expect(report.msg).toContain('applications.commands');
  expect(commandCalls(discord).filter((r) => r.method === 'PUT')).toEqual([]);

  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> still there?` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  const [answer] = await finalAnswer(discord, thread.id);
  expect(answer?.content).not.toBe('');
});

test('commands an older version registered without localizations are rewritten once with them, then left alone', async () => {
  discord = await startFakeDiscord();
  upstream = await startFakeUpstream();
  const strip = ({ description_localizations: _d, name_localizations: _n, ...rest }: Record<string, unknown>): Record<string, unknown> => ({
    ...rest,
    ...(Array.isArray(rest.options) ? { options: rest.options.map((o: Record<string, unknown>) => strip(o)) } : {}),
  });
  const english = commandDefinitions.map((c) => strip(c as unknown as Record<string, unknown>));
  const put = await fetch(`${discord.apiBase}/v10/applications/${discord.world.applicationId}/commands`, {
    method: 'PUT',
    headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(english),
  });
  expect(put.status).toBe(200);
  const first = await start();
  const report = await syncReport(first.logs);
  expect(report.msg).toBe('discord slash commands updated');
  expect(report.differences).toEqual([
    '/model: description_localizations, options differ',
    '/reset: description_localizations differs',
    '/ask: description_localizations, options differ',
    '/persona: description_localizations, options differ',
    '/usage: description_localizations differs',
    '"Ask Gemini about this" (message menu): name_localizations differs',
  ]);
  await first.bot.stop();
  const second = await start();
  expect((await syncReport(second.logs)).msg).toBe('discord slash commands are current');
  expect(commandCalls(discord).map((r) => r.method)).toEqual(['PUT', 'GET', 'PUT', 'GET']);
});
