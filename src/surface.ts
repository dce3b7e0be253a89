/**
 * All the core knows of a platform. Adapters implement it; the live-message
 * renderer (src/render) is its only caller.
 */

/** An opaque reference to a message the adapter posted; the core never parses it. */
export interface MessageRef {
  readonly id: string;
}

/**
 * A write budget: at most `limit` writes in any `windowMs` in the scope named by `key`.
 * Every stream that writes to the same key shares the budget (e.g. all edits in one
 * Discord channel, all `chat.update` calls in one Slack workspace).
 *
 * Without `burst` the budget is a sliding window, which also keeps within a platform's
 * fixed windows (Discord). With `burst` it is paced: at most `burst` writes at once, and
 * the other `limit - burst` of each window spread evenly over it (a token bucket holding
 * `burst`, refilled at `(limit - burst) / windowMs`). So the first seconds can never
 * spend a whole window, and any `windowMs` holds at most `limit` writes whichever way
 * the platform counts: a sliding window of `limit`, or a token bucket with at least
 * that burst and rate (Slack documents "50+ per minute" and "short bursts", not which).
 */
export interface RateScope {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly burst?: number;
}

/** The budgets a surface's writes count against. */
export interface SurfaceScopes {
  /** A new message. */
  readonly post: RateScope;
  /** A message's text replaced while it grows, and its final state when `final` is absent. */
  readonly edit: RateScope;
  /**
   * The write that makes a message final, when the platform budgets it apart
   * (Slack's chat.stopStream). A post then also promises one write here, for the
   * final of the message it opens.
   */
  readonly final?: RateScope;
}

/** `live`: the message is still growing (adapters may show a Stop control); `final`: it is done. */
export type MessageState = 'live' | 'final';

/**
 * Where a written message stands in its answer. A message sealed because the answer
 * goes on in the next one is `final` too; only the answer's `last` message, written once
 * the answer is over, carries the controls that act on the whole answer (Regenerate,
 * 👍/👎). The renderer passes it with every write; surfaces that predate it may ignore it.
 */
export interface MessagePlace {
  readonly last: boolean;
}

/** What the model is doing before its answer shows (`Surface.showProgress`). */
export type AnswerProgress =
  /** Reasoning; `heading` is the latest bold heading of it under REASONING_DISPLAY=status. */
  | { readonly type: 'thinking'; readonly heading: string | undefined }
  /** Answer text has arrived. */
  | { readonly type: 'answering' };

export interface Surface {
  /** Most characters one message may hold, in the core's Markdown (Discord 2,000; Slack ~4,000). */
  readonly maxMessageLength: number;
  /** The budgets posts and edits are counted against. Read before every write: a surface may switch paths mid-answer. */
  readonly scopes: SurfaceScopes;
  /** Turns one part of the core's Markdown into the platform's markup (identity on Discord). */
  format(markdown: string): string;
  /** Posts a new message in the conversation's thread. Throws `PlatformError` on failure. */
  post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef>;
  /** Replaces a posted message's text. Throws `PlatformError` on failure. */
  edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void>;
  /**
   * Deletes one of the answer's messages: a regenerated answer shorter than the one it
   * replaces drops the parts it no longer needs. Without it those parts are left as they
   * were. Throws `PlatformError` on failure; a message already gone counts as deleted.
   */
  delete?(message: MessageRef, signal: AbortSignal): Promise<void>;
  /**
   * Where this surface writes, as an opaque string starting with the platform's name
   * (`discord:…`, `slack:…`), from which the adapter can rebuild it after a restart
   * (`RunningAdapter.reopen`), so an answer cut by a crash can be marked as interrupted.
   */
  readonly address?: string;
  /** Shows that the bot is working (Discord typing, Slack status). Best effort: may throw, callers ignore. */
  showTyping?(signal: AbortSignal): Promise<void>;
  /**
   * The platform can only add to a live message, never take text back (Slack's native
   * streaming). The renderer then leaves out of live frames what a later frame would
   * replace: the thinking status and the closing fence it adds to a code block still
   * being written. Read before every write: a surface that falls back to edits turns it off.
   */
  readonly appendOnly?: boolean;
  /**
   * Called once when the answer is over: every message has its final state or was given
   * up. For clean-up that must wait for the last message (Slack: a Stop control). Best effort.
   */
  finished?(signal: AbortSignal): Promise<void>;
  /**
   * Told when what the model does changes before its answer shows, for a status line the
   * platform keeps outside the message (Slack's assistant threads): `thinking` as reasoning
   * arrives, then `answering` with the first answer text. Only changes are told. Synchronous
   * and best effort: the surface queues and paces its own calls and never throws.
   */
  showProgress?(progress: AnswerProgress): void;
  /**
   * Another way to write this answer, taken when its first post cannot go at once: the
   * budget of `scopes.post` (or of `scopes.final`, which a post promises) is short, and
   * waiting for it would keep the user waiting (Slack: chat.startStream, Tier 2, overflows
   * to chat.postMessage + chat.update). Also taken for an answer whose first write is
   * already final, which has nothing to stream, and for a regeneration, which writes into
   * messages already posted (`LiveMessageOptions.existing`) by edits. Afterwards `scopes`,
   * `appendOnly` and `maxMessageLength` describe the other way. Called before this answer
   * posted anything, at most once.
   */
  overflow?(): void;
}
