/**
 * What an operator sees: /healthz and /metrics of a running bot (HEALTH_PORT),
 * started as in production against the fake Discord and upstream.
 */
import { afterEach, expect, test } from 'vitest';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import { finalAnswer } from '../fakes/discord/read.ts';
import { freePort } from '../support/free-port.ts';

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});


test('/healthz says ready with each dependency, and /metrics counts answered turns and tokens', async () => {
  const port = await freePort();
  harness = await startDiscordBot({ env: { HEALTH_PORT: String(port) } });
  const { discord, bot } = harness;
  expect(bot.healthUrl).toMatch(new RegExp(`:${port}$`));

  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', checks: { store: true, discord: true } });

  const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> hello` });
  const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
  await finalAnswer(discord, thread.id);
  await bot.core.drain(60_000);

  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toMatch(/bot_turns_total\{platform="discord",outcome="answered",kind="stop"\} 1/);
  expect(metrics).toMatch(/bot_platform_writes_total\{scope="discord:post"\} [1-9]/);
  expect(metrics).toMatch(/bot_tokens_total\{model="gemini-2.5-pro",kind="reasoning"\} \d+/);
});

test('/healthz answers 503 once the platform is gone', async () => {
  const port = await freePort();
  harness = await startDiscordBot({ env: { HEALTH_PORT: String(port) } });
  await harness.bot.adapters[0]?.stop();
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(503);
  expect(await health.json()).toMatchObject({ checks: { store: true, discord: false } });
});
