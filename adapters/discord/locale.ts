/**
 * Which language a Discord person is spoken to in (BOT_LOCALE=auto): an interaction
 * (a slash command, a button, the message menu) carries the client language of
 * whoever used it (`locale`); a message carries none, so a mention is answered in
 * the server's preferred locale (`preferred_locale`, "Community" servers set it;
 * others default to en-US), and a DM in English. discord-api-docs:
 * interactions/receiving-and-responding.mdx (`locale`, `guild_locale`), resources/guild.mdx.
 */
import type { Interaction, Message, PartialMessage } from 'discord.js';
import { chooseLocale, type Locale, type LocaleSetting } from '../../src/i18n/locale.ts';

export function interactionLocale(setting: LocaleSetting, interaction: Pick<Interaction, 'locale'>): Locale {
  return chooseLocale(setting, interaction.locale);
}

export function messageLocale(setting: LocaleSetting, message: Pick<Message | PartialMessage, 'guild'>): Locale {
  return chooseLocale(setting, message.guild?.preferredLocale);
}
