/** What history keeps of one turn: the question, then what answered it (or that nothing did). */
import type { AnswerStatus, StoredMessage } from '../history/record.ts';
import type { AttachmentRef, TurnRequest, UnansweredReason } from './types.ts';

/** The question as history keeps it, at the time it was asked (history orders exchanges by it). */
function question(request: TurnRequest, attachments: readonly AttachmentRef[], askedAt: number): StoredMessage {
  return {
    role: 'user',
    turnId: request.turnId,
    authorId: request.author.id,
    authorName: request.author.name,
    text: request.text,
    attachments: [...attachments],
    at: askedAt,
    platformMessageId: request.platformMessageId ?? request.turnId,
  };
}

/**
 * A turn that ran: `text` is the answer as the user saw it, `status` how it ended,
 * `shownIn` the messages it was shown in (a regeneration writes into them again).
 */
export function answeredExchange(
  request: TurnRequest,
  askedAt: number,
  attachments: readonly AttachmentRef[],
  answer: { model: string; text: string; status: AnswerStatus; at: number; shownIn?: readonly string[] | undefined },
): StoredMessage[] {
  const { shownIn, ...rest } = answer;
  return [question(request, attachments, askedAt), { role: 'assistant', turnId: request.turnId, ...rest, ...(shownIn?.length ? { shownIn: [...shownIn] } : {}) }];
}

/** A question kept without an answer: the next question carries it (see `selectHistory`). */
export function unansweredExchange(request: TurnRequest, reason: UnansweredReason, askedAt: number, shownIn: readonly string[] = []): StoredMessage[] {
  return [
    question(request, request.attachments, askedAt),
    {
      role: 'assistant',
      turnId: request.turnId,
      model: request.model ?? '',
      text: '',
      status: 'not-answered',
      reason,
      at: askedAt,
      ...(shownIn.length > 0 ? { shownIn: [...shownIn] } : {}),
    },
  ];
}
