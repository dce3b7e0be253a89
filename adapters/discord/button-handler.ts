/**
 * Button presses: Stop under a streaming answer. Allowed to the person who asked
 * and to moderators (moderation.ts); anyone else is told so privately and the
 * answer goes on.
 */
import type { ButtonInteraction } from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../src/config.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import { userText } from '../../src/user-text.ts';
import { isAllowedInteraction } from './access.ts';
import { actorOf, mayActOnAnswer } from './moderation.ts';
import { NO_PINGS, replyPrivately } from './private-reply.ts';
import { parseStopButton } from './stop-button.ts';

export class ButtonHandler {
  readonly #core: ConversationCore;
  readonly #config: DiscordConfig;
  readonly #log: Logger;

  constructor(opts: { core: ConversationCore; config: DiscordConfig; logger: Logger }) {
    this.#core = opts.core;
    this.#config = opts.config;
    this.#log = opts.logger;
  }

  async handle(interaction: ButtonInteraction): Promise<void> {
    const stop = parseStopButton(interaction.customId);
    if (stop === undefined) return;
    if (!isAllowedInteraction(this.#config.allowed, interaction)) return replyPrivately(interaction, userText.notAllowed);
    if (!mayActOnAnswer(actorOf(interaction), stop.askerId)) {
      this.#log.info({ turn: stop.turnId, user: interaction.user.id }, 'stop refused: not the asker or a moderator');
      return replyPrivately(interaction, userText.onlyAskerMay('stop', userText.answerModerators.discord));
    }
    if (this.#core.stop(stop.turnId)) {
      // The core ends the turn; its final edit says it was stopped and removes the button.
      await interaction.deferUpdate();
      return;
    }
    // Nothing is streaming (finished, or the bot restarted): just take the stale button away.
    await interaction.update({ components: [], allowedMentions: NO_PINGS });
  }
}
