/**
 * Who may use the bot: DISCORD_ALLOWED_GUILDS / CHANNELS / ROLES / USERS. An
 * empty list does not restrict. Guild and channel lists must both pass (a
 * thread counts as its parent channel too); a person passes if they are listed
 * in USERS or hold one of ROLES (when either list is set). In DMs there is no
 * guild, channel or role to check, so when any of those lists is set only
 * people named in USERS may talk to the bot there.
 */
import { PermissionFlagsBits, type PermissionsBitField } from 'discord.js';
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

/**
 * Who may change a channel-wide setting (its default model, its persona): members with
 * Manage Channels, or everyone with DISCORD_CHANNEL_MODEL_PERMISSION=everyone.
 * `permissions` is the member's in that channel, as the interaction carries it.
 */
export function mayChangeChannelSettings(config: DiscordConfig, permissions: Readonly<PermissionsBitField> | null): boolean {
  return config.channelModelPermission === 'everyone' || permissions?.has(PermissionFlagsBits.ManageChannels) === true;
}
