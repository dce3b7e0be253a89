/**
 * The application commands, defined once: `register-commands.ts` and the start-up
 * sync send these to Discord; `interaction-handler.ts` reads options by the same
 * names. Besides the slash commands, one message context-menu command (type 3,
 * "Ask Gemini about this", ask-about-handler.ts): context-menu commands have a
 * name people read (up to 32 characters, spaces allowed) and no description.
 * Descriptions, and that name, come from the catalogs (src/i18n) with their
 * zh-TW and zh-CN versions as Discord's localizations.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { LOCALES } from '../../src/i18n/locale.ts';
import { t, type MessageKey } from '../../src/i18n/messages.ts';

/** A command's text in English, and in the bot's other languages under Discord's codes for them (`zh-TW`, `zh-CN`: discord-api-docs reference.mdx, Locales). */
function localized(key: MessageKey & ('askAboutCommand' | `command${string}`)): { text: string; localizations: Record<string, string> } {
  const others = LOCALES.filter((locale) => locale !== 'en');
  return { text: t('en', key), localizations: Object.fromEntries(others.map((locale) => [locale, t(locale, key)])) };
}

/** `description` and `description_localizations`: Discord shows each person the description in their client's language. */
function describedBy(key: Parameters<typeof localized>[0]): { description: string; description_localizations: Record<string, string> } {
  const { text, localizations } = localized(key);
  return { description: text, description_localizations: localizations };
}

const askAbout = localized('askAboutCommand');

/** Slash command names stay English everywhere; the message command's name is localized, as people read it in a menu. */
export const COMMAND = { model: 'model', reset: 'reset', ask: 'ask', persona: 'persona', usage: 'usage', askAbout: askAbout.text } as const;
export const OPTION = { name: 'name', prompt: 'prompt', model: 'model', image: 'image', text: 'text', clear: 'clear' } as const;

/** Discord allows at most 25 autocomplete choices (interactions/receiving-and-responding.mdx). */
export const MAX_CHOICES = 25;

const everywhere = {
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
};

export const commandDefinitions: RESTPutAPIApplicationCommandsJSONBody = [
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.model,
    ...describedBy('commandModel'),
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: OPTION.name,
        ...describedBy('commandModelName'),
        required: false,
        autocomplete: true,
      },
    ],
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.reset,
    ...describedBy('commandReset'),
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.ask,
    ...describedBy('commandAsk'),
    options: [
      { type: ApplicationCommandOptionType.String, name: OPTION.prompt, ...describedBy('commandAskPrompt'), required: true, max_length: 4000 },
      { type: ApplicationCommandOptionType.String, name: OPTION.model, ...describedBy('commandAskModel'), required: false, autocomplete: true },
      { type: ApplicationCommandOptionType.Attachment, name: OPTION.image, ...describedBy('commandAskImage'), required: false },
    ],
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.persona,
    ...describedBy('commandPersona'),
    options: [
      // No max_length: the core's 4,000-character cap answers with a clear message (Discord's own ceiling is 6,000).
      { type: ApplicationCommandOptionType.String, name: OPTION.text, ...describedBy('commandPersonaText'), required: false },
      { type: ApplicationCommandOptionType.Boolean, name: OPTION.clear, ...describedBy('commandPersonaClear'), required: false },
    ],
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.usage,
    ...describedBy('commandUsage'),
    ...everywhere,
  },
  {
    type: ApplicationCommandType.Message,
    name: COMMAND.askAbout,
    name_localizations: askAbout.localizations,
    ...everywhere,
  },
];
