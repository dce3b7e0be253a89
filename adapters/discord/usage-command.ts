/**
 * `/usage`: today's tokens of the person who asks, of the channel when it has a
 * limit, and for moderators (moderation.ts) the server's top users by their
 * display names. Always private (the caller makes the reply ephemeral).
 */
import type { ChatInputCommandInteraction, Guild } from 'discord.js';
import type { Logger } from 'pino';
import type { UsageReports } from '../../src/adapter.ts';
import type { Locale } from '../../src/i18n/locale.ts';
import { workspaceOf } from './conversation-ids.ts';
import { actorOf, mayReadServerUsage } from './moderation.ts';

export async function usageReply(
  interaction: ChatInputCommandInteraction,
  opts: { readonly usage: UsageReports; readonly channelId: string; readonly locale: Locale; readonly logger: Logger },
): Promise<string> {
  const guild = interaction.guild;
  return opts.usage.report(
    { userId: interaction.user.id, channelId: opts.channelId, workspaceId: interaction.guildId ? workspaceOf(interaction.guildId) : undefined },
    { withTop: interaction.guildId !== null && mayReadServerUsage(actorOf(interaction)), locale: opts.locale, nameOf: (userId) => displayName(interaction, guild, userId, opts.logger) },
  );
}

/**
 * The name a member goes by in the server (nickname, else global display name, else
 * username): from discord.js's cache, else `GET /guilds/{id}/members/{user}`. Someone who
 * left keeps their user name; the raw id only when Discord will not say.
 */
async function displayName(interaction: ChatInputCommandInteraction, guild: Guild | null, userId: string, log: Logger): Promise<string> {
  try {
    if (guild) return (await guild.members.fetch(userId)).displayName;
  } catch (err) {
    log.debug({ err, user: userId }, 'member not found for /usage; trying the user');
  }
  try {
    return (await interaction.client.users.fetch(userId)).displayName;
  } catch (err) {
    log.debug({ err, user: userId }, 'user not found for /usage');
    return userId;
  }
}
