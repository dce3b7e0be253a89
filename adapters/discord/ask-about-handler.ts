/**
 * "Ask Gemini about this", the message context-menu command (commands.ts): it
 * opens a conversation about someone's message without quoting it. The answer
 * goes to a thread started from the message (or the thread it already has); where
 * there can be none (a message inside a thread, a missing permission) to a DM with
 * the person who asked. The message, its files and its author go in as the first
 * question's context (`TurnRequest.earlier`), as a reply chain's messages do.
 */
import {
  ChannelType,
  MessageFlags,
  ThreadAutoArchiveDuration,
  type Message,
  type MessageContextMenuCommandInteraction,
  type TextBasedChannel,
} from 'discord.js';
import type { Logger } from 'pino';
import type { EarlierMessage, TurnRequest } from '../../src/conversation/types.ts';
import { userTextIn, type UserText } from '../../src/user-text.ts';
import { isAllowedInteraction } from './access.ts';
import { earlierMessageOf } from './context-reader.ts';
import { channelKey, conversationOfChannel, workspaceOf } from './conversation-ids.ts';
import type { AnswerHandlerDeps } from './handler-deps.ts';
import { interactionLocale } from './locale.ts';
import { NO_PINGS, replyPrivately } from './private-reply.ts';
import { ChannelSurface } from './surface.ts';
import { threadName } from './thread-name.ts';
import { turnPlace } from './turn-place.ts';

/** Where the conversation about the message was opened. */
interface Opened {
  readonly channel: TextBasedChannel;
  readonly conversationId: string;
  readonly channelId: string;
  /** The server of a thread, for its daily token quota; undefined in a DM. */
  readonly workspaceId: string | undefined;
  /** How the person is told where to look. */
  readonly where: string;
}

/** Channels whose messages can start a thread (discord-api-docs: Start Thread from Message). */
const THREADABLE = new Set<ChannelType>([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

export class AskAboutHandler {
  readonly #o: AnswerHandlerDeps;

  constructor(deps: AnswerHandlerDeps) {
    this.#o = deps;
  }

  async handle(interaction: MessageContextMenuCommandInteraction): Promise<void> {
    const texts = userTextIn(interactionLocale(this.#o.locale, interaction));
    if (!isAllowedInteraction(this.#o.config.allowed, interaction)) return replyPrivately(interaction, texts.notAllowed);
    const target = interaction.targetMessage;
    const about = earlierMessageOf(target, this.#o.client.user.id);
    if (!about) return replyPrivately(interaction, texts.askAboutNothing);
    // Starting a thread or a DM can take longer than Discord's 3 s.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const log = this.#o.logger.child({ turn: interaction.id, about: target.id });
    const opened = await this.#open(interaction, target, about, texts, log);
    if (!opened) {
      await interaction.editReply({ content: texts.askAboutFailed, allowedMentions: NO_PINGS });
      return;
    }
    await interaction.editReply({ content: texts.askAboutWhere(opened.where), allowedMentions: NO_PINGS });
    const request: TurnRequest = {
      turnId: interaction.id,
      conversationId: opened.conversationId,
      channelId: opened.channelId,
      author: { id: interaction.user.id, name: interaction.user.displayName },
      text: texts.askAboutQuestion,
      attachments: [],
      earlier: { messages: [about], truncated: false },
      place: turnPlace(opened.channel, this.#o.client),
      workspaceId: opened.workspaceId,
      locale: texts.locale,
    };
    const surface = new ChannelSurface({ rest: this.#o.client.rest, channelId: opened.channel.id, turnId: interaction.id, askerId: interaction.user.id, locale: texts.locale });
    const outcome = await this.#o.core.answer(request, { surface, attachments: this.#o.attachments });
    log.debug({ outcome, conversation: opened.conversationId }, 'asked about a message');
  }

  /** A thread on the message where a channel allows one, else a DM with the person who asked. */
  async #open(interaction: MessageContextMenuCommandInteraction, target: Message, about: EarlierMessage, texts: UserText, log: Logger): Promise<Opened | undefined> {
    const channel = target.channel;
    const guildId = target.guildId;
    if (guildId && THREADABLE.has(channel.type)) {
      try {
        const thread = await this.#threadOf(target, about, texts);
        return {
          channel: thread,
          conversationId: conversationOfChannel(guildId, thread.id),
          channelId: channelKey(guildId, channel.id),
          workspaceId: workspaceOf(guildId),
          where: `<#${thread.id}>`,
        };
      } catch (err) {
        log.info({ err, channel: channel.id }, 'could not start a thread on the message; answering in a DM');
      }
    }
    try {
      const dm = await interaction.user.createDM();
      // In a DM the message is right there; elsewhere the DM starts with a link to it.
      if (guildId) await dm.send({ content: texts.askAboutInDm(target.url), allowedMentions: NO_PINGS });
      const id = conversationOfChannel(undefined, dm.id);
      return { channel: dm, conversationId: id, channelId: id, workspaceId: undefined, where: texts.askAboutDmPlace };
    } catch (err) {
      log.warn({ err }, 'could not open a DM to answer about a message');
      return undefined;
    }
  }

  async #threadOf(target: Message, about: EarlierMessage, texts: UserText): Promise<TextBasedChannel> {
    if (target.hasThread) {
      const existing = target.thread ?? (await this.#o.client.channels.fetch(target.id));
      if (existing?.isThread()) return existing;
    }
    return target.startThread({
      name: threadName(about.text, texts.threadNameFallback),
      autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
    });
  }
}
