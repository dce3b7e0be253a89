/**
 * Why the client has DirectMessages and Partials.Channel: without them discord.js
 * drops a DM silently. Checked against the fake Discord, which, like Discord,
 * never announces a DM channel before its first message.
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, type Message } from 'discord.js';
import { afterEach, expect, test } from 'vitest';
import { createDiscordClient } from '../../../adapters/discord/client.ts';
import { loadConfig } from '../../../src/config.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';

let discord: FakeDiscord | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await discord?.close();
  discord = undefined;
});

async function login(client: Client, fake: FakeDiscord): Promise<Client> {
  clients.push(client);
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return client;
}

/** Sends a DM, then a guild mention; resolves with the messages the client emitted once the mention arrives. */
async function messagesSeen(client: Client, fake: FakeDiscord): Promise<string[]> {
  const seen: string[] = [];
  const mentionSeen = new Promise<void>((resolve) =>
    client.on(Events.MessageCreate, (m: Message) => {
      seen.push(m.content);
      if (m.content.includes('in the guild')) resolve();
    }),
  );
  fake.sendMessage({ content: 'in a DM', channelId: fake.dmChannel().id });
  fake.sendMessage({ content: `<@${fake.world.bot.id}> in the guild` });
  await mentionSeen;
  return seen;
}

test('the bot’s client hears DMs', async () => {
  discord = await startFakeDiscord();
  const result = loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_BASE: discord.apiBase });
  if (!result.ok || !result.config.discord) throw new Error('bad config');
  const client = await login(createDiscordClient(result.config.discord), discord);
  expect(await messagesSeen(client, discord)).toEqual(['in a DM', `<@${discord.world.bot.id}> in the guild`]);
});

test('a client without Partials.Channel drops the same DM silently', async () => {
  discord = await startFakeDiscord();
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages];
  const client = await login(new Client({ intents, rest: { api: discord.apiBase } }), discord);
  expect(await messagesSeen(client, discord)).toEqual([`<@${discord.world.bot.id}> in the guild`]);
});

test('with SHARD_COUNT and SHARD_ID the client identifies as that shard', async () => {
  discord = await startFakeDiscord();
  const result = loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_BASE: discord.apiBase, SHARD_COUNT: '2', SHARD_ID: '1' });
  if (!result.ok || !result.config.discord) throw new Error('bad config');
  await login(createDiscordClient(result.config.discord), discord);
  expect(discord.identifies.map((i) => i.shard)).toEqual([[1, 2]]);
});
