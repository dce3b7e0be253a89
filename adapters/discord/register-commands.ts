/**
 * `npm run register-commands`: sends the slash command definitions to Discord,
 * always (for CI and deployment scripts; `npm start` syncs them by itself, writing
 * only when they differ, see command-sync.ts).
 * With DISCORD_GUILD_ID they are registered to that server and usable at once;
 * without it, globally (Discord may take up to an hour to show them everywhere).
 * Reads the same settings as the bot (`.env` if present).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REST, Routes, type APIUser } from 'discord.js';
import { loadConfig, type DiscordConfig } from '../../src/config.ts';
import { putCommands } from './command-sync.ts';

/** Registers the commands; returns where they went and their names. */
export async function registerCommands(config: DiscordConfig): Promise<{ scope: 'guild' | 'global'; names: string[] }> {
  const rest = new REST(config.apiBase ? { api: config.apiBase } : {}).setToken(config.token);
  const applicationId = config.appId ?? ((await rest.get(Routes.user('@me'))) as APIUser).id;
  const names = await putCommands(rest, { applicationId, guildId: config.guildId });
  return { scope: config.guildId ? 'guild' : 'global', names };
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`Cannot register commands:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  const { discord } = result.config;
  if (!discord) {
    process.stderr.write('Cannot register commands: DISCORD_TOKEN is not set.\n');
    process.exit(1);
  }
  const { scope, names } = await registerCommands(discord);
  const where = scope === 'guild' ? `server ${discord.guildId} (available now)` : 'every server (may take up to an hour to appear)';
  process.stdout.write(`Registered /${names.join(', /')} for ${where}.\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`Registering commands failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
