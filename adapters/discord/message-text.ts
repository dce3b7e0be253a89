/**
 * A Discord message as the model should read it: mentions as names (never a raw
 * id, nothing that could ping), and the content people see beyond `content`: a
 * forwarded message (`message_snapshots`, whose content lives only there) and the
 * text of embeds (title, description, fields: how bots and link previews write).
 * Sources: discord-api-docs resources/message.mdx (Message Snapshot Object,
 * Embed Object); discord-api-spec MinimalContentMessageResponse.
 */
import { cleanContent, MessageReferenceType, type Embed, type Message } from 'discord.js';

/** Mentions Discord could not resolve from cache stay mention syntax; the model gets a neutral word instead. */
function neutralise(text: string): string {
  return text
    .replace(/<@!?\d+>/g, '@someone')
    .replace(/<@&\d+>/g, '@role')
    .replace(/<#\d+>/g, '#channel');
}

/** What a message and a forwarded snapshot both have. */
type Said = Pick<Message, 'content' | 'embeds'>;

/** `content` with mentions as `@Name`; `dropMentionOf` (the bot, in a question to it) taken out. */
function readableContent(said: Said, channel: Message['channel'], dropMentionOf?: string): string {
  const content = dropMentionOf ? said.content.replaceAll(new RegExp(`<@!?${dropMentionOf}>`, 'g'), ' ') : said.content;
  return neutralise(cleanContent(content, channel)).replace(/[^\S\n]+\n/g, '\n').trim();
}

export function embedText(embed: Embed): string {
  const lines: string[] = [];
  const head = [embed.author?.name, embed.title].filter(Boolean).join(': ');
  lines.push(head ? `[embed: ${head}]` : '[embed]');
  if (embed.description) lines.push(embed.description);
  for (const field of embed.fields) lines.push(`${field.name}: ${field.value}`);
  if (embed.footer?.text) lines.push(embed.footer.text);
  return lines.join('\n');
}

/** A message's own content and embeds (what a snapshot holds too). */
function contentAndEmbeds(said: Said, channel: Message['channel'], dropMentionOf?: string): string[] {
  const parts = [readableContent(said, channel, dropMentionOf)];
  for (const embed of said.embeds) {
    // An embed that only shows an image or a video says nothing a text reader could use.
    if (embed.title || embed.description || embed.fields.length > 0) parts.push(neutralise(embedText(embed)));
  }
  return parts.filter((p) => p !== '');
}

/** The whole text of a message: content, forwarded messages, embeds. */
export function messageText(message: Message, opts: { dropMentionOf?: string } = {}): string {
  const parts = contentAndEmbeds(message, message.channel, opts.dropMentionOf);
  if (message.reference?.type === MessageReferenceType.Forward) {
    for (const snapshot of message.messageSnapshots.values()) {
      // Mentions in a forwarded message resolve as well as the cache allows; the rest are neutralised.
      const forwarded = contentAndEmbeds(snapshot, message.channel);
      if (forwarded.length > 0) parts.push(`[forwarded message]\n${forwarded.join('\n')}`);
    }
  }
  return parts.join('\n');
}

/** True if `message` is a reply (not a forward, which also carries a reference). */
export function isReply(message: Message): boolean {
  return message.reference?.messageId !== undefined && message.reference.type !== MessageReferenceType.Forward;
}
