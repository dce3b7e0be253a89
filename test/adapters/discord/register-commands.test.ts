import { afterEach, expect, test } from 'vitest';
import { commandDefinitions } from '../../../adapters/discord/commands.ts';
import { registerCommands } from '../../../adapters/discord/register-commands.ts';
import { loadConfig, type DiscordConfig } from '../../../src/config.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';

let discord: FakeDiscord | undefined;
afterEach(async () => {
  await discord?.close();
  discord = undefined;
});

function configFor(fake: FakeDiscord, env: Record<string, string> = {}): DiscordConfig {
  const result = loadConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase, ...env });
  if (!result.ok || !result.config.discord) throw new Error('bad test config');
  return result.config.discord;
}

test('with DISCORD_GUILD_ID the commands go to that server, so they work at once', async () => {
  discord = await startFakeDiscord();
  const result = await registerCommands(configFor(discord, { DISCORD_GUILD_ID: discord.world.guildId }));
  expect(result).toEqual({ scope: 'guild', names: commandDefinitions.map((c) => c.name) });
  expect(discord.registeredCommands.map((r) => r.guildId)).toEqual([discord.world.guildId]);
  const model = discord.registeredCommands[0]?.commands[0] as { options: { name: string; autocomplete: boolean }[] };
  expect(model.options[0]).toMatchObject({ name: 'name', autocomplete: true });
});

test('without DISCORD_GUILD_ID they are registered globally', async () => {
  discord = await startFakeDiscord();
  const result = await registerCommands(configFor(discord));
  expect(result.scope).toBe('global');
  expect(discord.registeredCommands.map((r) => r.guildId)).toEqual([undefined]);
});
