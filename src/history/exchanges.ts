/**
 * One exchange of a stored conversation: a question (the user message a turn
 * answered, not messages it read in from the platform) and what answered it.
 * Regenerate and an edited question replace the newest exchange in place; a
 * rating marks its answer. Pure functions over the record's entries, which stay
 * `unknown` (an entry that no longer parses is kept as it is, never dropped).
 */
import { storedMessageSchema, type Rating, type StoredAssistantMessage, type StoredMessage, type StoredUserMessage } from './record.ts';

export interface Exchange {
  readonly question: StoredUserMessage;
  /** The newest answer to it (undefined while none was stored). */
  readonly answer: StoredAssistantMessage | undefined;
  /** The conversation before the question: what the model saw when it first answered (read-in messages included). */
  readonly before: readonly StoredMessage[];
}

const isQuestion = (m: StoredMessage): m is StoredUserMessage => m.role === 'user' && m.readIn !== true;

/** Whether `m` is part of `turnId`'s exchange itself (its question or an answer), not a message it read in. */
const ofExchange = (m: StoredMessage, turnId: string) => m.turnId === turnId && m.readIn !== true;

/** The newest exchange of a conversation, oldest-first messages in; undefined when nobody asked anything yet. */
export function newestExchange(messages: readonly StoredMessage[]): Exchange | undefined {
  const at = messages.findLastIndex(isQuestion);
  const question = messages[at];
  if (!question || !isQuestion(question)) return undefined;
  const answer = messages.findLast((m): m is StoredAssistantMessage => m.role === 'assistant' && ofExchange(m, question.turnId));
  return { question, answer, before: messages.filter((m) => !ofExchange(m, question.turnId)) };
}

/** The question of `turnId`, if history holds it. */
export function questionOf(messages: readonly StoredMessage[], turnId: string): StoredUserMessage | undefined {
  return messages.find((m): m is StoredUserMessage => isQuestion(m) && m.turnId === turnId);
}

const parse = (entry: unknown): StoredMessage | undefined => {
  const parsed = storedMessageSchema.safeParse(entry);
  return parsed.success ? parsed.data : undefined;
};

/**
 * `entries` with the exchange of `turnId` replaced by `replacement`, where the old one
 * stood; undefined when the exchange is not there (the caller appends instead).
 */
export function replaceExchange(entries: readonly unknown[], turnId: string, replacement: readonly StoredMessage[]): unknown[] | undefined {
  const at = entries.findIndex((e) => {
    const m = parse(e);
    return m !== undefined && isQuestion(m) && m.turnId === turnId;
  });
  if (at === -1) return undefined;
  const kept = entries.filter((e, i) => {
    const m = parse(e);
    return i < at || m === undefined || !ofExchange(m, turnId);
  });
  // Everything before the question is kept (so it leads `kept`); what followed it, other than its answers, follows the new one.
  return [...kept.slice(0, at), ...replacement, ...kept.slice(at)];
}

export interface VoteChange {
  /** The model that wrote the rated answer (metrics count by it). */
  readonly model: string;
  /** The person's vote before this one, if they had voted. */
  readonly previous: Rating | undefined;
}

/**
 * `entries` with `userId`'s vote on the newest answer of `turnId` set to `rating`, and what
 * changed; undefined when that answer is not there (reset, or never stored).
 */
export function withVote(entries: readonly unknown[], turnId: string, userId: string, rating: Rating): { entries: unknown[]; change: VoteChange } | undefined {
  const at = entries.findLastIndex((e) => {
    const m = parse(e);
    return m?.role === 'assistant' && ofExchange(m, turnId) && m.status !== 'not-answered';
  });
  const answer = at === -1 ? undefined : parse(entries[at]);
  if (!answer || answer.role !== 'assistant') return undefined;
  const previous = answer.feedback?.[userId];
  const rated: StoredAssistantMessage = { ...answer, feedback: { ...answer.feedback, [userId]: rating } };
  return { entries: entries.map((e, i) => (i === at ? rated : e)), change: { model: answer.model, previous } };
}
