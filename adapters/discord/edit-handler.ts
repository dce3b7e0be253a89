/**
 * A person edited a message (`MESSAGE_UPDATE`): when it asked the newest question
 * of its conversation, within EDIT_FOLLOW_MINUTES, the core writes the answer again
 * from the edited text, into the answer's own messages. Discord has no private
 * reply to a message event, so an edit that changes nothing (an older question,
 * too late, or only a link preview added: same text) gets no word either.
 */
import { ChannelType, type Client, type Message, type PartialMessage } from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../src/config.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { EventDeduper } from '../../src/store/dedupe.ts';
import { isAllowedMessage } from './access.ts';
import { placeOfQuestion } from './answer-place.ts';
import { attachmentsOf, type DiscordAttachments } from './attachments.ts';
import { isReply, messageText } from './message-text.ts';
import { ChannelSurface } from './surface.ts';
import { turnPlace } from './turn-place.ts';

const DEDUPE_TTL_MS = 10 * 60 * 1000;

export class EditHandler {
  readonly #client: Client<true>;
  readonly #core: ConversationCore;
  readonly #config: DiscordConfig;
  readonly #attachments: DiscordAttachments;
  readonly #dedupe: EventDeduper;
  readonly #log: Logger;

  constructor(opts: { client: Client<true>; core: ConversationCore; config: DiscordConfig; attachments: DiscordAttachments; dedupe: EventDeduper; logger: Logger }) {
    this.#client = opts.client;
    this.#core = opts.core;
    this.#config = opts.config;
    this.#attachments = opts.attachments;
    this.#dedupe = opts.dedupe;
    this.#log = opts.logger;
  }

  async handle(before: Message | PartialMessage, after: Message | PartialMessage): Promise<void> {
    const message = after.partial ? await after.fetch() : after;
    if (message.author.bot || message.system) return;
    // Discord sends an update when it adds a link preview too: the same text is no edit.
    if (!before.partial && before.content === message.content) return;
    if (!this.#mayBeQuestion(message) || !isAllowedMessage(this.#config.allowed, message)) return;
    if (!(await this.#firstSeen(message))) return;
    const place = await placeOfQuestion(message, this.#client.user.id, this.#config.replyMode);
    if (!place) return;
    const log = this.#log.child({ conversation: place.conversationId, turn: message.id });
    const surface = new ChannelSurface({
      rest: this.#client.rest,
      channelId: place.answerChannelId,
      turnId: message.id,
      askerId: message.author.id,
      replyTo: place.replyTo,
      chainRoot: place.chainRoot,
    });
    const outcome = await this.#core.followEdit(
      {
        conversationId: place.conversationId,
        channelId: place.channelId,
        turnId: message.id,
        text: messageText(message, { dropMentionOf: this.#client.user.id }),
        attachments: attachmentsOf(message),
        place: turnPlace(message.channel, this.#client),
      },
      { surface, attachments: this.#attachments },
    );
    log.debug({ outcome }, 'edited question handled');
  }

  /** Only messages the bot could have answered are looked up: most edits in a server are of other talk. */
  #mayBeQuestion(message: Message): boolean {
    const me = this.#client.user.id;
    const channel = message.channel;
    if (channel.type === ChannelType.DM) return true;
    if (channel.isThread() && channel.ownerId === me) return true;
    return message.mentions.users.has(me) || isReply(message);
  }

  /** Once per edit, whatever number of processes run on this token. */
  async #firstSeen(message: Message): Promise<boolean> {
    try {
      return await this.#dedupe.firstSeen(`discord:edit:${message.id}:${message.editedTimestamp ?? 0}`, DEDUPE_TTL_MS);
    } catch (err) {
      this.#log.warn({ err }, 'dedupe store unavailable; following the edit anyway');
      return true;
    }
  }
}
