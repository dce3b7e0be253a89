/** Reading what people see in the fake Discord, and what the model was sent. */
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import type { FakeDiscord, FakeMessage } from './index.ts';
import type { FakeInteraction } from './state.ts';

/** The bot's messages in a channel, oldest first. */
export function botMessages(discord: FakeDiscord, channelId: string): FakeMessage[] {
  return discord.messagesIn(channelId).filter((m) => m.author.id === discord.world.bot.id);
}

/**
 * Resolves with the bot's messages in a channel once there are at least `count`
 * and the last one is final (its Stop button is gone and it has text).
 */
export function finalAnswer(discord: FakeDiscord, channelId: string, count = 1): Promise<FakeMessage[]> {
  return discord.waitUntil(() => {
    const mine = botMessages(discord, channelId).filter((m) => (m.flags & 64) === 0);
    const last = mine.at(-1);
    return mine.length >= count && last && last.components.length === 0 && last.content !== '' ? mine : undefined;
  });
}

type Content = string | { type: string; text?: string; image_url?: { url: string } }[] | undefined;

/** The text of an upstream message's content (a string, or the text parts joined). */
export function textOf(content: Content): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((p) => p.type === 'text')
    .map((p) => p.text ?? '')
    .join('\n');
}

/** The image_url parts of an upstream message's content. */
export function imageUrlsOf(content: Content): string[] {
  if (content === undefined || typeof content === 'string') return [];
  return content.filter((p) => p.type === 'image_url').map((p) => p.image_url?.url ?? '');
}

/** The text of an interaction's reply (its callback's message content) and whether only its user sees it. */
export function replyOf(discord: FakeDiscord, interaction: FakeInteraction): Promise<{ content: string; ephemeral: boolean }> {
  return discord.waitUntil(() => {
    const callback = interaction.callbacks[0];
    if (callback?.type === InteractionResponseType.ChannelMessageWithSource) {
      return { content: String(callback.data?.content), ephemeral: (Number(callback.data?.flags ?? 0) & MessageFlags.Ephemeral) !== 0 };
    }
    return undefined;
  });
}
