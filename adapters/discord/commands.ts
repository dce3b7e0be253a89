/**
 * The application commands, defined once: `register-commands.ts` and the start-up
 * sync send these to Discord; `interaction-handler.ts` reads options by the same
 * names. Besides the slash commands, one message context-menu command (type 3,
 * "Ask Gemini about this", ask-about-handler.ts): context-menu commands have a
 * name people read (up to 32 characters, spaces allowed) and no description.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { userText } from '../../src/user-text.ts';

export const COMMAND = { model: 'model', reset: 'reset', ask: 'ask', persona: 'persona', usage: 'usage', askAbout: userText.askAboutCommand } as const;
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
    description: "Show the models, or choose this thread's model (in a channel: its default for new threads)",
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: OPTION.name,
        description: 'The model to use; leave empty to list them',
        required: false,
        autocomplete: true,
      },
    ],
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.reset,
    description: "Forget this thread's conversation (in a channel: your newest reply chain there)",
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.ask,
    description: 'Ask Gemini without mentioning the bot',
    options: [
      { type: ApplicationCommandOptionType.String, name: OPTION.prompt, description: 'Your question', required: true, max_length: 4000 },
      { type: ApplicationCommandOptionType.String, name: OPTION.model, description: 'A model for this question only', required: false, autocomplete: true },
      { type: ApplicationCommandOptionType.Attachment, name: OPTION.image, description: 'An image or video to ask about', required: false },
    ],
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.persona,
    description: "Show this channel's or thread's persona, set it, or clear it",
    options: [
      // No max_length: the core's 4,000-character cap answers with a clear message (Discord's own ceiling is 6,000).
      { type: ApplicationCommandOptionType.String, name: OPTION.text, description: 'The system prompt to use here; {date} and {time} are filled in', required: false },
      { type: ApplicationCommandOptionType.Boolean, name: OPTION.clear, description: 'Go back to the default system prompt', required: false },
    ],
    ...everywhere,
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND.usage,
    description: 'How many tokens you and this channel have used today, and the limits (only you see it)',
    ...everywhere,
  },
  {
    type: ApplicationCommandType.Message,
    name: COMMAND.askAbout,
    ...everywhere,
  },
];
