/**
 * Who may do what to answers and settings on Discord, in one place so every
 * control asks the same question (Stop and /reset today; regenerate and
 * /persona later):
 * - an answer, and the conversation it belongs to, are the asker's: they may
 *   stop it or reset it, and so may members with **Manage Messages** (the
 *   permission Discord gives moderators over other people's messages);
 * - a channel-wide setting (its default model) needs **Manage Channels**,
 *   unless DISCORD_CHANNEL_MODEL_PERMISSION=everyone;
 * - who spent most of the server's tokens today (`/usage`) is for the same
 *   moderators as other people's answers: **Manage Messages** (or Administrator).
 * In DMs there are no permissions: only the two people there, and the bot is one.
 */
import { PermissionFlagsBits, type ButtonInteraction, type ChatInputCommandInteraction, type PermissionsBitField } from 'discord.js';
import type { DiscordConfig } from '../../src/config.ts';
import type { PermissionName } from '../../src/user-text.ts';

/** The person pressing or commanding, and their permissions in that channel (null in DMs). */
export interface Actor {
  readonly userId: string;
  readonly permissions: Readonly<PermissionsBitField> | null;
}

export function actorOf(interaction: ChatInputCommandInteraction | ButtonInteraction): Actor {
  return { userId: interaction.user.id, permissions: interaction.memberPermissions };
}

/** The permission a channel-wide setting (its default model, its persona) needs, named to people in their language. */
export const CHANNEL_SETTINGS_PERMISSION = 'manage-channels' satisfies PermissionName;

/**
 * Whether `actor` may stop, reset (or later regenerate) an answer `askerId` asked for.
 * An unknown asker (a button from an older version) leaves it to moderators.
 */
export function mayActOnAnswer(actor: Actor, askerId: string | undefined): boolean {
  if (askerId !== undefined && actor.userId === askerId) return true;
  return actor.permissions?.has(PermissionFlagsBits.ManageMessages) === true;
}

/** Whether `actor` may see the server's top users in `/usage` (discord.js counts Administrator as every permission). */
export function mayReadServerUsage(actor: Actor): boolean {
  return actor.permissions?.has(PermissionFlagsBits.ManageMessages) === true;
}

/** Whether `actor` may change a setting for a whole channel (its default model). */
export function mayChangeChannelSettings(actor: Actor, rule: DiscordConfig['channelModelPermission']): boolean {
  return rule === 'everyone' || actor.permissions?.has(PermissionFlagsBits.ManageChannels) === true;
}
