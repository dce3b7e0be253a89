/**
 * Which of the messages an adapter read from the platform are new to the
 * conversation. A later turn reads the same thread again; what history holds
 * (read-in messages and questions, by platform message id) is not sent twice,
 * nor anything older than the newest message an earlier read stored (that read
 * covered it), nor what a reset forgot. Once the conversation has history, the
 * bot's own messages on the platform are its answers, which history already
 * holds as they were shown.
 */
import type { StoredMessage } from '../history/record.ts';
import { checkAttachment } from '../attachments/policy.ts';
import type { EarlierContext, EarlierMessage } from './types.ts';

export interface NewEarlier {
  /** Oldest first, at most `max`. */
  readonly messages: readonly EarlierMessage[];
  /** True when older messages of the platform's conversation are not in the request nor in history. */
  readonly leftOut: boolean;
}

export function newEarlierMessages(
  context: EarlierContext | undefined,
  history: readonly StoredMessage[],
  opts: {
    /** The turn's own message, in case the adapter read it too. */
    readonly currentMessageId: string;
    /** A reset's time: what was posted before it is forgotten. */
    readonly horizon: number | undefined;
    /** CONTEXT_MAX_MESSAGES: the newest this many are kept. */
    readonly max: number;
  },
): NewEarlier {
  if (!context) return { messages: [], leftOut: false };
  const known = new Set<string>();
  const readBefore = new Set<string>();
  for (const m of history) {
    known.add(m.turnId);
    if (m.platformMessageId === undefined) continue;
    known.add(m.platformMessageId);
    if (m.readIn) readBefore.add(m.platformMessageId);
  }
  const read = context.messages.filter((m) => m.platformMessageId !== opts.currentMessageId);
  // Only a message an earlier read stored proves that read covered everything before it: a question
  // kept unread (its read failed, or it never ran) does not.
  const lastKnown = read.findLastIndex((m) => readBefore.has(m.platformMessageId));
  const forgotten = (m: EarlierMessage) => opts.horizon !== undefined && m.at <= opts.horizon;
  let messages = read
    .slice(lastKnown + 1)
    .filter((m) => !known.has(m.platformMessageId) && !forgotten(m) && (history.length === 0 || m.role === 'user'));
  // A gap only if the read began after history left off: nothing known, nothing forgotten, in what was read.
  let leftOut = context.truncated && lastKnown < 0 && !(read[0] !== undefined && forgotten(read[0]));
  if (messages.length > opts.max) {
    messages = messages.slice(-opts.max);
    leftOut = true;
  }
  return { messages, leftOut };
}

/**
 * Read-in messages as history stores them, with the turn that read them. Only
 * attachments the bot could use are kept (checked on metadata, nothing downloaded).
 */
export function storedFromEarlier(messages: readonly EarlierMessage[], turnId: string, maxBytes: number): StoredMessage[] {
  return messages.map((m): StoredMessage => {
    const origin = { turnId, platformMessageId: m.platformMessageId, readIn: true as const, at: m.at };
    if (m.role === 'assistant') return { role: 'assistant', model: '', text: m.text, status: 'complete', ...origin };
    return {
      role: 'user',
      authorId: m.author.id,
      authorName: m.author.name,
      text: m.text,
      attachments: m.attachments.filter((a) => checkAttachment(a, maxBytes).ok),
      ...origin,
    };
  });
}
