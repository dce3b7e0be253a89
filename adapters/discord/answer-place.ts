/**
 * Where an answer lives, worked out again after it was written: from the question
 * its author edited (`placeOfQuestion`), or from a button under the answer
 * (`placeOfPress`). The same rules as message-handler.ts's routes: a thread or a
 * DM is one conversation; in a channel the conversation is a reply chain (reply
 * mode, a reply to the bot) or, in thread mode, the thread started from the mention.
 */
import { ChannelType, type ButtonInteraction, type Message } from 'discord.js';
import type { DiscordConfig } from '../../src/config.ts';
import { channelKey, conversationOfChannel, conversationOfReplyChain, workspaceOf } from './conversation-ids.ts';
import { isReply } from './message-text.ts';
import { findChainRoot } from './reply-chain.ts';

export interface AnswerPlace {
  readonly conversationId: string;
  /** The channel whose default model applies (a thread's parent; a DM is its own). */
  readonly channelId: string;
  /** The channel the answer's messages are in. */
  readonly answerChannelId: string;
  /** In a reply chain each part of the answer replies to the question. */
  readonly replyTo?: string | undefined;
  readonly chainRoot?: string | undefined;
  /** The server, for its daily token quota (`TurnRequest.workspaceId`); undefined in a DM. */
  readonly workspaceId?: string | undefined;
}

/** The conversation an edited message asked in, and where its answer went; undefined where the bot answers nothing. */
export async function placeOfQuestion(message: Message, botId: string, replyMode: DiscordConfig['replyMode']): Promise<AnswerPlace | undefined> {
  const channel = message.channel;
  if (channel.type === ChannelType.DM) {
    const id = conversationOfChannel(undefined, channel.id);
    return { conversationId: id, channelId: id, answerChannelId: channel.id };
  }
  const guildId = message.guildId;
  if (!guildId) return undefined;
  const workspaceId = workspaceOf(guildId);
  if (channel.isThread()) {
    return {
      conversationId: conversationOfChannel(guildId, channel.id),
      channelId: channelKey(guildId, channel.parentId ?? channel.id),
      answerChannelId: channel.id,
      workspaceId,
    };
  }
  const chained = isReply(message) ? await findChainRoot(message, botId) : undefined;
  const chainRoot = chained ?? (replyMode === 'reply' ? message.id : undefined);
  if (chainRoot !== undefined) {
    return {
      conversationId: conversationOfReplyChain(guildId, channel.id, chainRoot),
      channelId: channelKey(guildId, channel.id),
      answerChannelId: channel.id,
      replyTo: message.id,
      chainRoot,
      workspaceId,
    };
  }
  // Thread mode: the thread the bot started from the mention has the mention's id.
  return { conversationId: conversationOfChannel(guildId, message.id), channelId: channelKey(guildId, channel.id), answerChannelId: message.id, workspaceId };
}

/** The conversation of the answer a button sits under; undefined for a button in a channel that names no chain (an older version's). */
export function placeOfPress(interaction: ButtonInteraction, chainRoot: string | undefined): AnswerPlace | undefined {
  const channelId = interaction.channelId;
  const guildId = interaction.guildId;
  if (!guildId) {
    const id = conversationOfChannel(undefined, channelId);
    return { conversationId: id, channelId: id, answerChannelId: channelId };
  }
  const workspaceId = workspaceOf(guildId);
  const channel = interaction.channel;
  if (channel?.isThread()) {
    return {
      conversationId: conversationOfChannel(guildId, channel.id),
      channelId: channelKey(guildId, channel.parentId ?? channel.id),
      answerChannelId: channel.id,
      workspaceId,
    };
  }
  if (chainRoot === undefined) return undefined;
  return {
    conversationId: conversationOfReplyChain(guildId, channelId, chainRoot),
    channelId: channelKey(guildId, channelId),
    answerChannelId: channelId,
    // The answer's parts reply to its question: more parts, if the new answer needs them, do too.
    replyTo: interaction.message.reference?.messageId,
    chainRoot,
    workspaceId,
  };
}
