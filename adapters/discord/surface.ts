/**
 * The core's Surface on Discord: a channel or thread (`ChannelSurface`) or a
 * slash command's deferred reply (`InteractionSurface`). Every write goes
 * through discord.js REST with the turn's AbortSignal and carries
 * `allowed_mentions: { parse: [] }`, because an edit without it is re-parsed with
 * Discord's defaults, which ping `@everyone` (platform-limits.md §4.6).
 */
import { MessageFlags, Routes, type APIMessage, type REST } from 'discord.js';
import type { Locale } from '../../src/i18n/locale.ts';
import type { MessagePlace, MessageRef, MessageState, RateScope, Surface } from '../../src/surface.ts';
import { userTextIn } from '../../src/user-text.ts';
import { answerControls } from './answer-controls.ts';
import { stopControls } from './stop-button.ts';
import { toPlatformError } from './platform-error.ts';

/** Discord's message content limit (discord-api-docs resources/message.mdx: 2,000 characters). */
export const DISCORD_MAX_MESSAGE_LENGTH = 2000;

/** No pings from anything the bot writes, not even the author of the replied-to message. */
export const NO_MENTIONS = { parse: [], replied_user: false } as const;

/**
 * Discord's windows as the scheduler counts them: 5 s, and 100 ms more, because
 * discord.js waits 50 ms past each bucket's reset (its REST `offset`) and refuses
 * a write it thinks early as a rate limit; asking after it is ready keeps that from
 * pausing a channel and cutting its rate.
 */
const DISCORD_WINDOW_MS = 5100;

/**
 * 5 creates and 5 edits per 5 s per channel, counted apart (platform-limits.md §1a).
 * Discord counts fixed windows, which a sliding window (no `burst`) always keeps
 * within; paced as a token bucket that is also safe for them, a channel would get fewer edits.
 */
export function channelScopes(channelId: string): { post: RateScope; edit: RateScope } {
  return {
    post: { key: `discord:post:${channelId}`, limit: 5, windowMs: DISCORD_WINDOW_MS },
    edit: { key: `discord:edit:${channelId}`, limit: 5, windowMs: DISCORD_WINDOW_MS },
  };
}

/** The answer a surface writes, as its controls name it. */
interface SurfaceTurn {
  readonly rest: REST;
  /** Where the answer's messages are. */
  readonly channelId: string;
  readonly turnId: string;
  /** Who asked: the Stop and Regenerate buttons name them, for moderation.ts. */
  readonly askerId: string | undefined;
  /** The reply chain the answer's conversation is, if it is one (answer-controls.ts). */
  readonly chainRoot?: string | undefined;
  /** Regenerate and 👍/👎 under the finished answer (default true); a surface reopened after a crash has none. */
  readonly answerControls?: boolean;
  /** The asker's language, for the buttons' labels. */
  readonly locale: Locale;
}

abstract class DiscordSurface implements Surface {
  readonly maxMessageLength = DISCORD_MAX_MESSAGE_LENGTH;
  abstract readonly scopes: { readonly post: RateScope; readonly edit: RateScope };
  protected readonly rest: REST;
  protected readonly channelId: string;
  protected readonly turn: SurfaceTurn;
  /** Posts made so far in this turn: continuations of a split answer do not notify again. */
  protected posts = 0;

  constructor(turn: SurfaceTurn) {
    this.rest = turn.rest;
    this.channelId = turn.channelId;
    this.turn = turn;
  }

  /** Discord renders the core's Markdown as it is. */
  format(markdown: string): string {
    return markdown;
  }

  /** Stop while the message grows; Regenerate and 👍/👎 under the answer's last message once it is over; nothing on sealed parts. */
  protected body(text: string, state: MessageState, place: MessagePlace | undefined): Record<string, unknown> {
    const { turnId, askerId, chainRoot } = this.turn;
    const finished = state === 'final' && place?.last === true && this.turn.answerControls !== false;
    const texts = userTextIn(this.turn.locale);
    const components = finished ? answerControls({ turnId, askerId, chainRoot }, texts) : stopControls(state, turnId, askerId, texts);
    return { content: text, allowed_mentions: NO_MENTIONS, components };
  }

  abstract post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef>;
  abstract edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void>;

  /** Deletes one of the answer's messages (the bot may always delete its own); one already gone counts as deleted. */
  async delete(message: MessageRef, signal: AbortSignal): Promise<void> {
    try {
      await this.rest.delete(Routes.channelMessage(this.channelId, message.id), { signal });
    } catch (err) {
      throw toPlatformError(err);
    }
  }
}

/** Writes into a text channel, thread or DM; in reply mode each post replies to the user's message. */
export class ChannelSurface extends DiscordSurface {
  readonly scopes: { readonly post: RateScope; readonly edit: RateScope };
  readonly #replyTo: string | undefined;

  constructor(opts: SurfaceTurn & { replyTo?: string | undefined }) {
    super(opts);
    this.#replyTo = opts.replyTo;
    this.scopes = channelScopes(opts.channelId);
  }

  /** Enough to edit this channel's messages after a restart (see `reopenChannelSurface`). */
  get address(): string {
    return `${CHANNEL_ADDRESS}${this.channelId}`;
  }

  async post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef> {
    const first = this.posts === 0;
    const body = {
      ...this.body(text, state, place),
      // Every part of a split answer replies to the question, so a reply to any part finds the chain.
      ...(this.#replyTo ? { message_reference: { message_id: this.#replyTo, fail_if_not_exists: false } } : {}),
      ...(first ? {} : { flags: MessageFlags.SuppressNotifications }),
    };
    signal.throwIfAborted();
    try {
      // No signal on the request itself: a create cannot be taken back once sent, and aborting
      // it mid-flight would leave a message the renderer has no reference to (a Stop pressed
      // while the first post is in flight would then post the final text a second time).
      const message = (await this.rest.post(Routes.channelMessages(this.channelId), { body })) as APIMessage;
      this.posts += 1;
      return { id: message.id };
    } catch (err) {
      throw toPlatformError(err);
    }
  }

  async edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void> {
    try {
      await this.rest.patch(Routes.channelMessage(this.channelId, message.id), { body: this.body(text, state, place), signal });
    } catch (err) {
      throw toPlatformError(err);
    }
  }

  async showTyping(signal: AbortSignal): Promise<void> {
    try {
      await this.rest.post(Routes.channelTyping(this.channelId), { signal });
    } catch (err) {
      throw toPlatformError(err);
    }
  }
}

const CHANNEL_ADDRESS = 'discord:channel:';

/** The ChannelSurface a `Surface.address` names, to mark an answer a crash cut off. */
export function reopenChannelSurface(rest: REST, address: string, locale: Locale): ChannelSurface | undefined {
  if (!address.startsWith(CHANNEL_ADDRESS)) return undefined;
  return new ChannelSurface({ rest, channelId: address.slice(CHANNEL_ADDRESS.length), turnId: 'recovered', askerId: undefined, answerControls: false, locale });
}

const ORIGINAL = '@original';

/**
 * Writes a slash command's answer: the first post fills the deferred reply
 * (`@original`), later posts are follow-ups. Interaction webhooks are valid for
 * 15 minutes (discord-api-docs interactions/receiving-and-responding.mdx).
 */
export class InteractionSurface extends DiscordSurface {
  readonly scopes: { readonly post: RateScope; readonly edit: RateScope };
  readonly #applicationId: string;
  readonly #token: string;
  /** The deferred reply's message id, which the first post learns; written to as `@original`. */
  #originalId: string | undefined;

  constructor(opts: SurfaceTurn & { applicationId: string; token: string }) {
    super(opts);
    this.#applicationId = opts.applicationId;
    this.#token = opts.token;
    // Interaction webhook writes are outside the channel's message bucket; they get their own budget.
    this.scopes = {
      post: { key: `discord:post:interaction:${opts.turnId}`, limit: 5, windowMs: DISCORD_WINDOW_MS },
      edit: { key: `discord:edit:interaction:${opts.turnId}`, limit: 5, windowMs: DISCORD_WINDOW_MS },
    };
  }

  /**
   * A restart finds the answer by its channel and message ids, not by the interaction:
   * its token has expired by then, but the bot may still edit its own message
   * (`reopenChannelSurface`). So message refs carry real ids, the original's too.
   */
  get address(): string {
    return `${CHANNEL_ADDRESS}${this.channelId}`;
  }

  async post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef> {
    signal.throwIfAborted();
    try {
      if (this.posts === 0) {
        const original = (await this.rest.patch(Routes.webhookMessage(this.#applicationId, this.#token, ORIGINAL), {
          body: this.body(text, state, place),
          auth: false,
          signal,
        })) as APIMessage;
        this.posts += 1;
        this.#originalId = original.id;
        return { id: original.id };
      }
      // Like ChannelSurface.post: a follow-up, once sent, is not aborted.
      const message = (await this.rest.post(Routes.webhook(this.#applicationId, this.#token), {
        body: { ...this.body(text, state, place), flags: MessageFlags.SuppressNotifications },
        query: new URLSearchParams({ wait: 'true' }),
        auth: false,
      })) as APIMessage;
      this.posts += 1;
      return { id: message.id };
    } catch (err) {
      throw toPlatformError(err);
    }
  }

  async edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void> {
    try {
      const id = message.id === this.#originalId ? ORIGINAL : message.id;
      await this.rest.patch(Routes.webhookMessage(this.#applicationId, this.#token, id), {
        body: this.body(text, state, place),
        auth: false,
        signal,
      });
    } catch (err) {
      throw toPlatformError(err);
    }
  }
}
