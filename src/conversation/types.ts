/**
 * The shapes that cross the line between adapters and the core.
 * Ids are opaque strings built by the adapter (`discord:G:C:T`, `slack:T:C:ts`).
 */

/**
 * A file attached to a user's message, as history keeps it: a small reference,
 * never the bytes. The adapter that made it can turn it back into a URL the
 * provider can fetch (see `AttachmentResolver`).
 */
export interface AttachmentRef {
  /** Adapter-defined key to find the file again (e.g. Discord `channel/message/attachment` ids, Slack file id). */
  readonly ref: string;
  readonly name: string;
  /** MIME type as the platform reported it, if it did. */
  readonly contentType?: string | undefined;
  /** Size in bytes as the platform reported it, if it did. */
  readonly size?: number | undefined;
  /** The last URL the platform gave for it; may have expired. */
  readonly url?: string | undefined;
}

/** Turns an attachment reference into a URL the provider can fetch: https or `data:`. */
export interface AttachmentResolver {
  resolve(attachment: AttachmentRef, signal: AbortSignal): Promise<string>;
}

export interface Author {
  readonly id: string;
  readonly name: string;
}

/** One user message for the core to answer. */
export interface TurnRequest {
  /** Unique per user message (e.g. the platform message id); stop controls carry it. */
  readonly turnId: string;
  /** The conversation (thread) whose history this turn reads and extends. */
  readonly conversationId: string;
  /** The channel whose default model applies when the conversation has none of its own. */
  readonly channelId: string;
  readonly author: Author;
  readonly text: string;
  readonly attachments: readonly AttachmentRef[];
  /** A model for this turn only (e.g. Discord `/ask model:`), validated by the core. */
  readonly model?: string | undefined;
}

/**
 * Why a question was kept in history without an answer (`ConversationCore.storeUnanswered`):
 * its conversation was busy (too many waiting), or the store was down when it came.
 */
export type UnansweredReason = 'busy' | 'store-unavailable';

/** How a turn ended, for adapters that react to it (a reaction on error, metrics). */
export type TurnOutcome =
  | { readonly type: 'answered'; readonly finishReason: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly kind: string }
  | { readonly type: 'busy' };
