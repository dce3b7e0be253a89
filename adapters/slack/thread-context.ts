/**
 * Reads a Slack thread the bot is called into, as the core's earlier messages:
 * `conversations.replies` page by page (cursor, oldest first, the thread's parent
 * first), the newest `max` before the mention kept, each author named (users.info,
 * `user-directory.ts`), the bot's own messages as assistant messages.
 *
 * conversations.replies is Tier 3 (about 50 a minute), and only 1 a minute with 15
 * messages a page for commercially distributed apps outside the Marketplace
 * (platform-limits.md §2a, Slack changelog 2025-05). The client rejects a 429 at
 * once (`rejectRateLimitedCalls`): a short Retry-After is waited out; a long one
 * ends the read, and the turn is answered from its message alone.
 *
 * The Slack message handler calls `read` for a message in a thread the bot did
 * not start, and passes the result as `TurnRequest.earlier`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { EarlierContext, EarlierMessage } from '../../src/conversation/types.ts';
import { attachmentOfFile, fileSchema } from './incoming.ts';
import { toPlatformError } from './platform-errors.ts';
import { mentionedUsers, readableText } from './readable-text.ts';
import type { SlackUserDirectory } from './user-directory.ts';

/** Messages asked for per page: Slack recommends at most 200 (docs.slack.dev conversations.replies "Pagination"). */
const PAGE_LIMIT = 200;
/** Longest Retry-After waited out before giving up on the read; a turn should not stall for a minute. */
const MAX_WAIT_MS = 3000;

const threadMessageSchema = z.object({
  ts: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  username: z.string().optional(),
  bot_profile: z.object({ name: z.string().optional() }).optional(),
  text: z.string().optional().default(''),
  files: z.array(fileSchema).optional().default([]),
});

const repliesSchema = z.object({
  messages: z.array(z.unknown()).optional().default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

type ThreadMessage = z.infer<typeof threadMessageSchema>;

/** What people write; joins, topic changes and other system subtypes are left out. */
const SPOKEN_SUBTYPES = new Set(['file_share', 'thread_broadcast', 'bot_message', 'me_message']);

export interface ThreadToRead {
  /** The workspace, for looking up who wrote what. */
  readonly teamId: string;
  readonly channel: string;
  /** The thread's parent `ts`. */
  readonly threadTs: string;
  /** The mention's `ts`: it and everything after it are not read. */
  readonly beforeTs: string;
  /** CONTEXT_MAX_MESSAGES: the newest this many are kept. */
  readonly max: number;
}

export class SlackThreadReader {
  readonly #client: webApi.WebClient;
  readonly #bot: { readonly userId: string; readonly botId: string | undefined; readonly name?: string | undefined };
  readonly #users: SlackUserDirectory;
  readonly #log: Logger;

  /** `bot.name` is how a mention of the bot reads (`@Gemini`); its own user is never looked up. */
  constructor(opts: { client: webApi.WebClient; bot: { userId: string; botId: string | undefined; name?: string | undefined }; users: SlackUserDirectory; logger: Logger }) {
    this.#client = opts.client;
    this.#bot = opts.bot;
    this.#users = opts.users;
    this.#log = opts.logger;
  }

  async read(thread: ThreadToRead, signal?: AbortSignal): Promise<EarlierContext> {
    let kept: ThreadMessage[] = [];
    let truncated = false;
    try {
      let cursor: string | undefined;
      let reachedMention = false;
      do {
        const page = await this.#page(thread, cursor, signal);
        for (const raw of page.messages) {
          const parsed = threadMessageSchema.safeParse(raw);
          if (!parsed.success) continue;
          if (Number(parsed.data.ts) >= Number(thread.beforeTs)) {
            reachedMention = true;
            break;
          }
          kept.push(parsed.data);
        }
        // A window over the thread: only the newest `max` are kept, however long it is.
        if (kept.length > thread.max) {
          kept = kept.slice(-thread.max);
          truncated = true;
        }
        cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
        if (reachedMention) break;
      } while (cursor);
    } catch (err) {
      if (signal?.aborted) throw err;
      const failure = toPlatformError(err, 'conversations.replies');
      this.#log.warn({ err: failure, channel: thread.channel }, 'could not read the thread');
      return { messages: [], truncated: false, failure: failure.kind === 'forbidden' ? 'forbidden' : 'unavailable' };
    }
    return { messages: await this.#earlier(thread.teamId, kept), truncated };
  }

  /** One page; a rate limit with a short Retry-After is waited out once. */
  async #page(thread: ThreadToRead, cursor: string | undefined, signal: AbortSignal | undefined): Promise<z.infer<typeof repliesSchema>> {
    const call = async () =>
      repliesSchema.parse(await this.#client.conversations.replies({ channel: thread.channel, ts: thread.threadTs, limit: PAGE_LIMIT, ...(cursor ? { cursor } : {}) }));
    try {
      return await call();
    } catch (err) {
      const failure = toPlatformError(err, 'conversations.replies');
      if (failure.kind !== 'rate-limited' || (failure.retryAfterMs ?? Infinity) > MAX_WAIT_MS) throw err;
      await delay(failure.retryAfterMs ?? 0, undefined, { signal });
      return call();
    }
  }

  async #earlier(teamId: string, messages: readonly ThreadMessage[]): Promise<EarlierMessage[]> {
    const spoken = messages.filter((m) => m.subtype === undefined || SPOKEN_SUBTYPES.has(m.subtype));
    const ids = new Set(spoken.flatMap((m) => [...(m.user && !m.bot_id ? [m.user] : []), ...mentionedUsers(m.text)]));
    ids.delete(this.#bot.userId);
    const names = new Map(await Promise.all([...ids].map(async (id) => [id, await this.#users.nameOf(teamId, id)] as const)));
    names.set(this.#bot.userId, this.#bot.name ?? 'the bot');
    return spoken.flatMap((m): EarlierMessage[] => {
      const mine = m.user === this.#bot.userId || (m.bot_id !== undefined && m.bot_id === this.#bot.botId);
      const text = readableText(m.text, names).trim();
      const attachments = m.files.map(attachmentOfFile);
      if (text === '' && attachments.length === 0) return [];
      const author = m.bot_id && !mine
        ? { id: m.bot_id, name: m.bot_profile?.name ?? m.username ?? 'a bot' }
        : { id: m.user ?? 'unknown', name: names.get(m.user ?? '') ?? 'someone' };
      return [{ platformMessageId: m.ts, role: mine ? 'assistant' : 'user', author, text, attachments, at: Math.round(Number(m.ts) * 1000) }];
    });
  }
}
