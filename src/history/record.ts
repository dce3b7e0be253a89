/**
 * What history keeps of a conversation, and its schema: whatever is read back
 * from the store is `unknown` until this parses it.
 */
import { z } from 'zod';

const attachmentSchema = z.object({
  ref: z.string(),
  name: z.string(),
  contentType: z.string().optional(),
  size: z.number().optional(),
  url: z.string().optional(),
});

/**
 * How an answer ended, so history stays truthful about what the user saw.
 * `not-answered`: the question was kept without an answer (the conversation was busy,
 * the store was down); its text is empty and the next question carries the question.
 */
export const answerStatuses = ['complete', 'cut', 'stopped', 'failed', 'interrupted', 'not-answered'] as const;
export type AnswerStatus = (typeof answerStatuses)[number];

/**
 * Where a message came from, for messages the bot did not get as a turn: `readIn` marks one
 * read from the platform as context (a thread, a reply chain), stored with the turn that read
 * it; `platformMessageId` lets a later read of the platform know it is already here.
 */
const origin = {
  platformMessageId: z.string().optional(),
  readIn: z.literal(true).optional(),
};

export const storedMessageSchema = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('user'),
    turnId: z.string(),
    authorId: z.string(),
    authorName: z.string(),
    text: z.string(),
    attachments: z.array(attachmentSchema),
    at: z.number(),
    ...origin,
  }),
  z.object({
    role: z.literal('assistant'),
    turnId: z.string(),
    model: z.string(),
    text: z.string(),
    status: z.enum(answerStatuses),
    /** Why a `not-answered` question got no answer (`busy`, `store-unavailable`, …), for logs and later turns. */
    reason: z.string().optional(),
    /** The platform messages (their `MessageRef` ids, in order) the answer was shown in: a regeneration writes into them. */
    shownIn: z.array(z.string()).optional(),
    /** 👍/👎 per person (their platform user id): one vote each, a second press changes it. */
    feedback: z.record(z.string(), z.enum(['up', 'down'])).optional(),
    at: z.number(),
    ...origin,
  }),
]);

export type StoredMessage = z.infer<typeof storedMessageSchema>;
export type StoredUserMessage = Extract<StoredMessage, { role: 'user' }>;
export type StoredAssistantMessage = Extract<StoredMessage, { role: 'assistant' }>;

/** A rating of an answer: 👍 or 👎. */
export type Rating = 'up' | 'down';

export const conversationRecordSchema = z.object({
  version: z.literal(1),
  messages: z.array(z.unknown()),
});
