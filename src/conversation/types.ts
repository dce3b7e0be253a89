/**
 * The shapes that cross the line between adapters and the core.
 * Ids are opaque strings built by the adapter (`discord:G:C:T`, `slack:T:C:ts`).
 */

import type { AttachmentRef } from '../attachments/attachment-ref.ts';
import type { Locale } from '../i18n/locale.ts';

export type { AttachmentRef, AttachmentResolver, DownloadedFile } from '../attachments/attachment-ref.ts';

export interface Author {
  readonly id: string;
  readonly name: string;
}

/**
 * A message said before the bot was called, read from the platform by the adapter
 * (a Slack thread, a Discord reply chain or thread): the core decides how much of
 * it goes upstream, and stores what it used so a later turn does not read it twice.
 */
export interface EarlierMessage {
  /** The platform's id of the message, unique in the conversation: how a later read is de-duplicated. */
  readonly platformMessageId: string;
  /** `assistant` for the bot's own messages; everyone else's (other bots too) are `user`. */
  readonly role: 'user' | 'assistant';
  /** Who wrote it: a display name people know, not a raw id. */
  readonly author: Author;
  /** Its text as people read it (mentions as names), with forwarded messages and embeds written out. */
  readonly text: string;
  readonly attachments: readonly AttachmentRef[];
  /** When it was posted (ms since the epoch), by the platform's clock. */
  readonly at: number;
}

/** What an adapter read from the platform around the message it was called with. */
export interface EarlierContext {
  /** Oldest first; without the turn's own message. */
  readonly messages: readonly EarlierMessage[];
  /** True when the platform held older messages than these (the read stopped at its cap). */
  readonly truncated: boolean;
  /** Set when the adapter could not read the context at all (e.g. a missing permission). */
  readonly failure?: 'forbidden' | 'unavailable' | undefined;
}

/** Where a turn happens, in words for the system prompt's `{platform}`, `{channel}` and `{bot_name}`. */
export interface TurnPlace {
  /** The platform's name as people say it: `Discord`, `Slack`. */
  readonly platform: string;
  /** The place as people name it: `#general`, `a direct message`, `the thread “Release plan” in #general`. */
  readonly channel?: string | undefined;
  /** The bot's display name there. */
  readonly botName?: string | undefined;
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
  /**
   * The platform's id of the user's message, matched against `EarlierMessage.platformMessageId`
   * on later turns so the question is not read in again. Defaults to `turnId`.
   */
  readonly platformMessageId?: string | undefined;
  /** Messages said before this one that the adapter read from the platform (a thread, a reply chain). */
  readonly earlier?: EarlierContext | undefined;
  /** Fills the system prompt's placeholders; the core falls back to neutral words without it. */
  readonly place?: TurnPlace | undefined;
  /**
   * The Slack workspace or Discord server the turn happens in (`slack:T…`, `discord:G…`), for its
   * daily token quota and `/usage`'s top users there. Undefined in DMs and the terminal.
   */
  readonly workspaceId?: string | undefined;
  /** The language the asker reads: the core's notes (errors, Stop, busy, quotas, thinking, the footer) are in it. Default English. */
  readonly locale?: Locale | undefined;
}

/**
 * Why a question was kept in history without an answer (`ConversationCore.storeUnanswered`):
 * its conversation was busy (too many waiting), the store was down when it came, or a daily
 * token quota was reached.
 */
export type UnansweredReason = 'busy' | 'store-unavailable' | 'quota';

/** How a turn ended, for adapters that react to it (a reaction on error, metrics). */
export type TurnOutcome =
  | { readonly type: 'answered'; readonly finishReason: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly kind: string }
  | { readonly type: 'busy' }
  /** Not sent upstream: the asker's, channel's or workspace's daily token quota was reached. */
  | { readonly type: 'over-quota'; readonly scope: 'user' | 'channel' | 'workspace' };

/** An answer to write again (Regenerate), in the conversation it belongs to. */
export interface RegenerateRequest {
  /** The conversation, as the turn that first answered had it. */
  readonly conversationId: string;
  /** The channel whose default model applies when the conversation has none of its own. */
  readonly channelId: string;
  /** The turn whose answer is written again: its question's `TurnRequest.turnId`. */
  readonly turnId: string;
  readonly place?: TurnPlace | undefined;
  /** The workspace or server the conversation is in (`TurnRequest.workspaceId`): the regenerated answer counts against its quota. */
  readonly workspaceId?: string | undefined;
  /** The language of whoever pressed Regenerate or edited (`TurnRequest.locale`). */
  readonly locale?: Locale | undefined;
}

/** A question its author edited: answered again from the new text, when it is the newest one. */
export interface EditedQuestion extends RegenerateRequest {
  /** The new text, as `TurnRequest.text` would hold it. */
  readonly text: string;
  /** The message's files now; undefined keeps those the question had. */
  readonly attachments?: readonly AttachmentRef[] | undefined;
}

/**
 * What became of a Regenerate or an edit. `regenerated`: the answer was written again (its
 * outcome says how that went; a failed one put the previous answer back, the error below it).
 * Otherwise nothing was written, and the adapter may say why, privately:
 * `not-newest` (a later question was asked since), `unknown` (history does not hold that
 * question: reset, expired, or never answered), `unchanged` (an edit that kept the text, such
 * as an added link preview), `too-late` (an edit past EDIT_FOLLOW_MINUTES), `busy` (too many
 * turns wait in the conversation), `store-unavailable`, `failed` (a bug, logged).
 */
export type RegenerateOutcome =
  | { readonly type: 'regenerated'; readonly outcome: TurnOutcome }
  | { readonly type: 'not-newest' | 'unknown' | 'unchanged' | 'too-late' | 'busy' | 'store-unavailable' | 'failed' };

/** A 👍 or 👎 on an answer. */
export interface Vote {
  readonly conversationId: string;
  /** The turn whose answer is rated. */
  readonly turnId: string;
  /** Who voted: one vote per person and answer. */
  readonly userId: string;
  readonly rating: 'up' | 'down';
}

/**
 * `recorded`: stored (`changed` when it replaced the same person's other vote; `same` when it
 * repeated it); `unknown`: history no longer holds that answer (a reset, a regeneration since);
 * `store-unavailable`.
 */
export type VoteOutcome =
  | { readonly type: 'recorded'; readonly change: 'new' | 'changed' | 'same' }
  | { readonly type: 'unknown' | 'store-unavailable' };
