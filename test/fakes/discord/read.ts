/** Reading what people see in the fake Discord, and what the model was sent. */
import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import type { FakeDiscord, FakeMessage } from './index.ts';
import type { FakeInteraction } from './state.ts';

/** The bot's messages in a channel, oldest first. */
export function botMessages(discord: FakeDiscord, channelId: string): FakeMessage[] {
  return discord.messagesIn(channelId).filter((m) => m.author.id === discord.world.bot.id);
}

/** The custom_ids of a message's buttons, in order. */
export function buttonIds(message: FakeMessage): string[] {
  return (message.components as { components?: { custom_id?: string }[] }[]).flatMap((row) => (row.components ?? []).map((c) => c.custom_id ?? ''));
}

/** The custom_id of the message's button whose id starts with `prefix` (`stop:`, `regen:`, `vote:up:`). */
export function buttonId(message: FakeMessage, prefix: string): string {
  const id = buttonIds(message).find((c) => c.startsWith(prefix));
  if (id === undefined) throw new Error(`no ${prefix} button on message ${message.id}`);
  return id;
}

/** Still streaming: it shows a Stop button. */
export const isLive = (message: FakeMessage) => buttonIds(message).some((id) => id.startsWith('stop:'));

/** The last message of a finished answer: it carries Regenerate and 👍/👎. */
export const endsAnswer = (message: FakeMessage) => buttonIds(message).some((id) => id.startsWith('regen:'));

/**
 * Resolves with the bot's messages in a channel once there are at least `count`
 * and the last one is final (its Stop button is gone and it has text).
 */
export function finalAnswer(discord: FakeDiscord, channelId: string, count = 1): Promise<FakeMessage[]> {
  return discord.waitUntil(() => {
    const mine = botMessages(discord, channelId).filter((m) => (m.flags & 64) === 0);
    const last = mine.at(-1);
    return mine.length >= count && last && !isLive(last) && last.content !== '' ? mine : undefined;
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
