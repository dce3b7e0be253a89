/**
 * Button presses: Stop under a streaming answer; Regenerate, 👍 and 👎 under a
 * finished one. Stop and Regenerate are the asker's and moderators'
 * (moderation.ts); anyone else is told so privately and nothing happens. Anyone
 * who may use the bot may vote, once per answer (a second press changes the vote).
 */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { userTextIn, type UserText } from '../../src/user-text.ts';
import { isAllowedInteraction } from './access.ts';
import { parseAnswerPress, type AnswerPress } from './answer-controls.ts';
import { placeOfPress } from './answer-place.ts';
import type { AnswerHandlerDeps } from './handler-deps.ts';
import { actorOf, mayActOnAnswer } from './moderation.ts';
import { interactionLocale } from './locale.ts';
import { NO_PINGS, replyPrivately } from './private-reply.ts';
import { parseStopButton } from './stop-button.ts';
import { ChannelSurface } from './surface.ts';
import { turnPlace } from './turn-place.ts';

export class ButtonHandler {
  readonly #o: AnswerHandlerDeps;

  constructor(deps: AnswerHandlerDeps) {
    this.#o = deps;
  }

  async handle(interaction: ButtonInteraction): Promise<void> {
    const stop = parseStopButton(interaction.customId);
    const press = stop ? undefined : parseAnswerPress(interaction.customId);
    if (!stop && !press) return;
    const texts = userTextIn(interactionLocale(this.#o.locale, interaction));
    if (!isAllowedInteraction(this.#o.config.allowed, interaction)) return replyPrivately(interaction, texts.notAllowed);
    if (press?.type === 'vote') return this.#vote(interaction, press, texts);
    if (press?.type === 'regenerate') return this.#regenerate(interaction, press, texts);
    if (!stop) return;
    if (!mayActOnAnswer(actorOf(interaction), stop.askerId)) {
      this.#o.logger.info({ turn: stop.turnId, user: interaction.user.id }, 'stop refused: not the asker or a moderator');
      return replyPrivately(interaction, texts.onlyAskerMay('stop', texts.answerModerators.discord));
    }
    if (this.#o.core.stop(stop.turnId)) {
      // The core ends the turn; its final edit says it was stopped and removes the button.
      await interaction.deferUpdate();
      return;
    }
    // Nothing is streaming (finished, or the bot restarted): just take the stale button away.
    await interaction.update({ components: [], allowedMentions: NO_PINGS });
  }

  /** Writes the answer again in its own messages; says privately why when it may not or cannot. */
  async #regenerate(interaction: ButtonInteraction, press: Extract<AnswerPress, { type: 'regenerate' }>, texts: UserText): Promise<void> {
    if (!mayActOnAnswer(actorOf(interaction), press.askerId)) {
      this.#o.logger.info({ turn: press.turnId, user: interaction.user.id }, 'regenerate refused: not the asker or a moderator');
      return replyPrivately(interaction, texts.onlyAskerMay('regenerate', texts.answerModerators.discord));
    }
    const place = placeOfPress(interaction, press.chainRoot);
    if (!place) return replyPrivately(interaction, texts.regenerateRefused.unknown);
    // Acknowledged without a change: the answer's own messages show the new answer streaming in.
    await interaction.deferUpdate();
    const surface = new ChannelSurface({
      locale: texts.locale,
      rest: this.#o.client.rest,
      channelId: place.answerChannelId,
      turnId: press.turnId,
      askerId: press.askerId,
      replyTo: place.replyTo,
      chainRoot: place.chainRoot,
    });
    const result = await this.#o.core.regenerate(
      {
        conversationId: place.conversationId,
        channelId: place.channelId,
        turnId: press.turnId,
        place: turnPlace(interaction.channel, this.#o.client),
        workspaceId: place.workspaceId,
        locale: texts.locale,
      },
      { surface, attachments: this.#o.attachments },
    );
    this.#o.logger.info({ turn: press.turnId, result: result.type }, 'regenerate pressed');
    const refusal = texts.regenerateRefusal(result);
    if (refusal) await interaction.followUp({ content: refusal, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
  }

  async #vote(interaction: ButtonInteraction, press: Extract<AnswerPress, { type: 'vote' }>, texts: UserText): Promise<void> {
    const place = placeOfPress(interaction, press.chainRoot);
    if (!place) return replyPrivately(interaction, texts.feedbackUnknown);
    const result = await this.#o.core.rate({ conversationId: place.conversationId, turnId: press.turnId, userId: interaction.user.id, rating: press.rating });
    if (result.type === 'recorded') return replyPrivately(interaction, texts.feedbackRecorded(press.rating, result.change));
    return replyPrivately(interaction, result.type === 'unknown' ? texts.feedbackUnknown : texts.feedbackUnavailable);
  }
}
