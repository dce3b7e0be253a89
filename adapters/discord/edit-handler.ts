/**
 * A person edited a message (`MESSAGE_UPDATE`): when it asked the newest question
 * of its conversation, within EDIT_FOLLOW_MINUTES, the core writes the answer again
 * from the edited text, into the answer's own messages. Discord has no private
 * reply to a message event, so an edit that changes nothing (an older question,
 * too late, or only a link preview added: same text) gets no word either.
 */
import { ChannelType, type Message, type PartialMessage } from 'discord.js';
import type { EventDeduper } from '../../src/store/dedupe.ts';
import { isAllowedMessage } from './access.ts';
import { placeOfQuestion } from './answer-place.ts';
import { attachmentsOf } from './attachments.ts';
import type { AnswerHandlerDeps } from './handler-deps.ts';
import { isReply, messageText } from './message-text.ts';
import { messageLocale } from './locale.ts';
import { ChannelSurface } from './surface.ts';
import { turnPlace } from './turn-place.ts';

const DEDUPE_TTL_MS = 10 * 60 * 1000;

export class EditHandler {
  readonly #o: AnswerHandlerDeps & { readonly dedupe: EventDeduper };

  constructor(deps: AnswerHandlerDeps & { readonly dedupe: EventDeduper }) {
    this.#o = deps;
  }

  async handle(before: Message | PartialMessage, after: Message | PartialMessage): Promise<void> {
    // A message deleted since it was edited has nothing left to answer.
    const message = after.partial ? await after.fetch().catch(() => undefined) : after;
    if (!message || message.author.bot || message.system) return;
    // Discord sends an update when it adds a link preview too: the same text is no edit.
    if (!before.partial && before.content === message.content) return;
    if (!this.#mayBeQuestion(message) || !isAllowedMessage(this.#o.config.allowed, message)) return;
    if (!(await this.#firstSeen(message))) return;
    const place = await placeOfQuestion(message, this.#o.client.user.id, this.#o.config.replyMode);
    if (!place) return;
    const log = this.#o.logger.child({ conversation: place.conversationId, turn: message.id });
    const locale = messageLocale(this.#o.locale, message);
    const surface = new ChannelSurface({
      locale,
      rest: this.#o.client.rest,
      channelId: place.answerChannelId,
      turnId: message.id,
      askerId: message.author.id,
      replyTo: place.replyTo,
      chainRoot: place.chainRoot,
    });
    const outcome = await this.#o.core.followEdit(
      {
        conversationId: place.conversationId,
        channelId: place.channelId,
        turnId: message.id,
        text: messageText(message, { dropMentionOf: this.#o.client.user.id }),
        attachments: attachmentsOf(message),
        place: turnPlace(message.channel, this.#o.client),
        workspaceId: place.workspaceId,
        locale,
      },
      { surface, attachments: this.#o.attachments },
    );
    log.debug({ outcome }, 'edited question handled');
  }

  /** Only messages the bot could have answered are looked up: most edits in a server are of other talk. */
  #mayBeQuestion(message: Message): boolean {
    const me = this.#o.client.user.id;
    const channel = message.channel;
    if (channel.type === ChannelType.DM) return true;
    if (channel.isThread() && channel.ownerId === me) return true;
    return message.mentions.users.has(me) || isReply(message);
  }

  /** Once per edit, whatever number of processes run on this token. */
  async #firstSeen(message: Message): Promise<boolean> {
    try {
      return await this.#o.dedupe.firstSeen(`discord:edit:${message.id}:${message.editedTimestamp ?? 0}`, DEDUPE_TTL_MS);
    } catch (err) {
      this.#o.logger.warn({ err }, 'dedupe store unavailable; following the edit anyway');
      return true;
    }
  }
}
