/** What the slash-command and button handlers need: the core, the allowlists, the moderation rule and each person's language. */
import type { Logger } from 'pino';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { Allowed } from './incoming.ts';
import type { SlackLocales } from './locales.ts';
import type { SlackModeration } from './moderation.ts';

export interface HandlerDeps {
  readonly core: ConversationCore;
  readonly allowed: Allowed;
  readonly moderation: SlackModeration;
  readonly logger: Logger;
  readonly locales: SlackLocales;
}
