/** What the Discord handlers that answer (buttons, edits, the message command) need: the ready client, the core, the settings, files and a logger. */
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../src/config.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { LocaleSetting } from '../../src/i18n/locale.ts';
import type { DiscordAttachments } from './attachments.ts';

export interface AnswerHandlerDeps {
  readonly client: Client<true>;
  readonly core: ConversationCore;
  readonly config: DiscordConfig;
  readonly attachments: DiscordAttachments;
  readonly logger: Logger;
  /** BOT_LOCALE (locale.ts picks each person's language from it). */
  readonly locale: LocaleSetting;
}
