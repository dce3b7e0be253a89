/**
 * What one answer cost, in tokens: the provider's `total_tokens` from the usage
 * chunk (question, history, reasoning and answer together, as it bills them).
 * A stream without usage (a proxy that drops it, a broken or stopped stream)
 * is estimated from the characters sent and received instead, at about four
 * characters a token (OpenAI's rule of thumb for English; CJK text runs nearer
 * one or two, so Chinese answers are under-counted rather than refused early).
 */
import type { Usage } from '../upstream/events.ts';
import type { ChatMessage } from '../upstream/request.ts';

export const CHARS_PER_TOKEN = 4;

export interface SpentTokens {
  readonly tokens: number;
  /** True when the provider said nothing and `tokens` is the estimate. */
  readonly estimated: boolean;
}

/** Characters of text sent upstream (images and videos have no characters to count). */
export function charsSent(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) {
    if (typeof message.content === 'string') chars += message.content.length;
    else for (const part of message.content) if (part.type === 'text') chars += part.text.length;
  }
  return chars;
}

/**
 * The tokens to count for one answer. Nothing received at all (the request failed before
 * any text or reasoning came back) counts nothing: the provider does not bill a refusal.
 */
export function spentTokens(usage: Usage | undefined, sent: readonly ChatMessage[], receivedChars: number): SpentTokens {
  if (usage) return { tokens: usage.totalTokens, estimated: false };
  if (receivedChars === 0) return { tokens: 0, estimated: false };
  return { tokens: Math.ceil((charsSent(sent) + receivedChars) / CHARS_PER_TOKEN), estimated: true };
}
