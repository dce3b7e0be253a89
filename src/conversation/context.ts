/**
 * Builds the request's messages: the system prompt plus the newest history that
 * fits the limits, then the new user message. Trimming drops whole exchanges
 * (a user message with the answers that followed it), oldest first, so a
 * question never loses its answer or the other way round.
 */
import type { StoredMessage, StoredUserMessage } from '../history/record.ts';
import type { ChatMessage, ContentPart } from '../upstream/request.ts';
import type { AttachmentRef } from './types.ts';

export interface ContextLimits {
  /** Most history messages sent (user and assistant together). */
  readonly maxMessages: number;
  /** Approximate budget of history text, in characters (about 4 per token). */
  readonly maxChars: number;
  /** Only this many of the newest user messages carry their media again; older ones name it in text. */
  readonly mediaTurns: number;
}

/** A user message whose attachments were turned into provider-fetchable URLs. */
export interface ResolvedUserMessage {
  readonly text: string;
  readonly media: readonly { readonly attachment: AttachmentRef; readonly url: string }[];
}

/** Groups history into exchanges: one user message and what followed it. */
function exchanges(history: readonly StoredMessage[]): StoredMessage[][] {
  const groups: StoredMessage[][] = [];
  for (const message of history) {
    const last = groups.at(-1);
    if (message.role === 'user' || !last) groups.push([message]);
    else last.push(message);
  }
  return groups;
}

const sizeOf = (group: readonly StoredMessage[]) => group.reduce((n, m) => n + m.text.length, 0);

/**
 * The newest exchanges that fit the limits; an answer that showed nothing is left out with
 * its question, except a question kept as not answered (busy, store down), which goes alone.
 */
export function selectHistory(history: readonly StoredMessage[], limits: ContextLimits): StoredMessage[] {
  const kept: StoredMessage[][] = [];
  let count = 0;
  let chars = 0;
  for (const group of exchanges(history).reverse()) {
    const carried = group.some((m) => m.role === 'assistant' && (m.text.trim() !== '' || m.status === 'not-answered'));
    if (!carried || group[0]?.role !== 'user') continue;
    const visible = group.filter((m) => m.role === 'user' || m.text.trim() !== '');
    if (count + visible.length > limits.maxMessages || chars + sizeOf(visible) > limits.maxChars) break;
    kept.push(visible);
    count += visible.length;
    chars += sizeOf(visible);
  }
  return kept.reverse().flat();
}

/** Older user messages whose media is not sent again (to stay under the provider's request size). */
export function userMessagesWithMedia(history: readonly StoredMessage[], mediaTurns: number): Set<StoredUserMessage> {
  const withMedia = history.filter((m): m is StoredUserMessage => m.role === 'user' && m.attachments.length > 0);
  return new Set(withMedia.slice(-mediaTurns));
}

export function userContent(message: ResolvedUserMessage, skipped: readonly AttachmentRef[] = []): ChatMessage['content'] {
  const notes = skipped.map((a) => `[attached earlier: ${a.name}]`);
  const text = [message.text, ...notes].filter((t) => t !== '').join('\n');
  if (message.media.length === 0) return text;
  const parts: ContentPart[] = [];
  if (text !== '') parts.push({ type: 'text', text });
  for (const m of message.media) parts.push({ type: 'image_url', image_url: { url: m.url } });
  return parts;
}

export function buildMessages(
  systemPrompt: string,
  history: readonly (StoredMessage & { resolved?: ResolvedUserMessage })[],
  current: ResolvedUserMessage,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt.trim() !== '') messages.push({ role: 'system', content: systemPrompt });
  for (const m of history) {
    if (m.role === 'assistant') messages.push({ role: 'assistant', content: m.text });
    else {
      const resolved = m.resolved ?? { text: m.text, media: [] };
      const used = new Set(resolved.media.map((x) => x.attachment.ref));
      messages.push({ role: 'user', content: userContent(resolved, m.attachments.filter((a) => !used.has(a.ref))) });
    }
  }
  messages.push({ role: 'user', content: userContent(current) });
  return messages;
}
