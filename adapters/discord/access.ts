/**
 * Who may use the bot: DISCORD_ALLOWED_GUILDS / CHANNELS / ROLES / USERS. An
 * empty list does not restrict. Guild and channel lists must both pass (a
 * thread counts as its parent channel too); a person passes if they are listed
 * in USERS or hold one of ROLES (when either list is set). In DMs there is no
 * guild, channel or role to check, so when any of those lists is set only
 * people named in USERS may talk to the bot there.
 */
import type { Interaction, Message } from 'discord.js';
import type { DiscordConfig } from '../../src/config.ts';

export interface AccessFacts {
  readonly guildId: string | undefined;
  /** The channel, and for a thread its parent. */
  readonly channelIds: readonly string[];
  readonly userId: string;
  readonly roleIds: readonly string[];
}

export function isAllowed(allowed: DiscordConfig['allowed'], facts: AccessFacts): boolean {
  const { guilds, channels, roles, users } = allowed;
  if (facts.guildId === undefined) {
    const placeRestricted = guilds.length > 0 || channels.length > 0 || roles.length > 0;
    if (placeRestricted) return users.includes(facts.userId);
    return users.length === 0 || users.includes(facts.userId);
  }
  if (guilds.length > 0 && !guilds.includes(facts.guildId)) return false;
  if (channels.length > 0 && !facts.channelIds.some((id) => channels.includes(id))) return false;
  if (roles.length === 0 && users.length === 0) return true;
  return users.includes(facts.userId) || facts.roleIds.some((id) => roles.includes(id));
}

/** Whether the person behind an interaction (a command, a button) may use the bot where it happened. */
export function isAllowedInteraction(allowed: DiscordConfig['allowed'], interaction: Interaction): boolean {
  const channel = interaction.channel;
  const channelIds = [interaction.channelId ?? '', ...(channel?.isThread() && channel.parentId ? [channel.parentId] : [])];
  const member = interaction.member;
  const roleIds = !member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return isAllowed(allowed, { guildId: interaction.guildId ?? undefined, channelIds, userId: interaction.user.id, roleIds });
}

/** Whether the author of a message may use the bot where they wrote it. */
export function isAllowedMessage(allowed: DiscordConfig['allowed'], message: Message): boolean {
  const channel = message.channel;
  const channelIds = [channel.id, ...(channel.isThread() && channel.parentId ? [channel.parentId] : [])];
  return isAllowed(allowed, {
    guildId: message.guildId ?? undefined,
    channelIds,
    userId: message.author.id,
    roleIds: message.member ? [...message.member.roles.cache.keys()] : [],
  });
}
