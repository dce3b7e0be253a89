/**
 * `app_mention` and `message` events: decides which messages the bot answers
 * (a mention, a DM, a follow-up in a thread it takes part in), drops Slack's
 * redeliveries and people outside the allowlists, and hands the rest to the core
 * with who wrote it (by name), where (for the system prompt) and, in a thread the
 * bot did not start, the thread's earlier messages.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../../src/config.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { AttachmentResolver, TurnRequest } from '../../src/conversation/types.ts';
import type { EventDeduper } from '../../src/store/dedupe.ts';
import { StoreError } from '../../src/store/store-error.ts';
import type { AnswerSurfaces } from './answer-surfaces.ts';
import { channelIdOf, conversationIdOf, isAllowed, parseMessageEvent, workspaceIdOf, type SlackMessage } from './incoming.ts';
import { toMrkdwn } from './mrkdwn.ts';
import type { SlackThreadReader } from './thread-context.ts';
import type { ThreadMemory } from './thread-memory.ts';
import { TurnOrder } from './turn-order.ts';
import type { SlackPlaces } from './turn-place.ts';
import type { SlackLocales } from './locales.ts';
import type { SlackUserDirectory } from './user-directory.ts';

/** Slack retries an event for about 6 minutes (platform-limits.md §2d); a day covers it with room to spare. */
const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

/** The parts of Bolt's event listener arguments this handler reads. */
export interface MessageEventArgs {
  readonly event: unknown;
  readonly body: unknown;
  readonly context: { readonly retryNum?: number; readonly retryReason?: string };
}

export interface MessageHandlerOptions {
  readonly client: webApi.WebClient;
  readonly core: ConversationCore;
  readonly config: SlackConfig;
  readonly dedupe: EventDeduper;
  readonly bot: { readonly userId: string; readonly botId: string | undefined };
  readonly files: AttachmentResolver;
  readonly surfaces: AnswerSurfaces;
  readonly threads: ThreadMemory;
  /** Reads a thread the bot is called into; `contextMaxMessages` (CONTEXT_MAX_MESSAGES) of it at most. */
  readonly reader: SlackThreadReader;
  readonly contextMaxMessages: number;
  readonly users: SlackUserDirectory;
  readonly places: SlackPlaces;
  /** Each person's language (users.info, cached with their name). */
  readonly locales: SlackLocales;
  readonly logger: Logger;
}

export class MessageHandler {
  readonly #o: MessageHandlerOptions;
  readonly #order = new TurnOrder();

  constructor(options: MessageHandlerOptions) {
    this.#o = options;
  }

  async handle(args: MessageEventArgs): Promise<void> {
    const body = args.body as { event_id?: string; team_id?: string };
    const log = this.#o.logger.child({ event: body.event_id });
    if (args.context.retryNum !== undefined) {
      log.info({ retryNum: args.context.retryNum, retryReason: args.context.retryReason }, 'slack retried an event');
    }
    const parsed = parseMessageEvent(args.event, body.team_id, this.#o.bot);
    if (parsed.type === 'ignore') {
      log.trace({ reason: parsed.reason }, 'event ignored');
      return;
    }
    const m = parsed.message;
    if (!(await this.#addressed(m))) return;
    if (!(await this.#firstDelivery(body.event_id, m))) {
      log.info({ channel: m.channel, ts: m.ts }, 'duplicate delivery ignored');
      return;
    }
    if (!isAllowed(this.#o.config.allowed, m)) {
      log.info({ team: m.teamId, channel: m.channel, user: m.user }, 'message from outside the allowlists');
      if (m.mentionsBot || m.channelType === 'im') {
        const texts = await this.#o.locales.textsOf(m.teamId, m.user);
        await this.#o.client.chat.postEphemeral({ channel: m.channel, user: m.user, text: toMrkdwn(texts.notAllowed) });
      }
      return;
    }
    this.#answer(m, log.child({ conversation: conversationIdOf(m) }));
  }

  /** First delivery of this event and of this message? Slack retries, and a mention arrives as two events. */
  async #firstDelivery(eventId: string | undefined, m: SlackMessage): Promise<boolean> {
    const { dedupe } = this.#o;
    try {
      if (eventId && !(await dedupe.firstSeen(`slack:event:${eventId}`, DEDUPE_TTL_MS))) return false;
      return await dedupe.firstSeen(`slack:message:${m.channel}:${m.ts}`, DEDUPE_TTL_MS);
    } catch (err) {
      // Answering twice beats never answering; the core reports the store's trouble itself.
      this.#o.logger.warn({ err }, 'dedupe store failed; answering anyway');
      return true;
    }
  }

  /** Should the bot answer this message at all? A thread forgotten here (a restart) is the bot's if it has history. */
  async #addressed(m: SlackMessage): Promise<boolean> {
    if (m.mentionsBot || m.channelType === 'im') return true;
    if (!m.inThread || !this.#o.config.followupsWithoutMention) return false;
    const conversationId = conversationIdOf(m);
    if (this.#o.threads.has(conversationId)) return true;
    try {
      const known = await this.#o.core.hasHistory(conversationId);
      if (known) this.#o.threads.add(conversationId);
      return known;
    } catch (err) {
      this.#o.logger.warn({ err }, 'could not tell whether the bot takes part in a thread');
      // The store is down: the core answers "memory store unavailable" as it does to a
      // mention, where silence would read as the bot ignoring a follow-up in its own thread.
      return err instanceof StoreError;
    }
  }

  #answer(m: SlackMessage, log: Logger): void {
    const conversationId = conversationIdOf(m);
    const channelId = channelIdOf(m);
    const turnId = `${conversationId}:${m.ts}`;
    // A thread someone else started holds what people said before the bot was called; a
    // thread the bot started from a message at the top holds nothing it was not sent.
    const readThread = m.inThread && !this.#o.threads.started(conversationId);
    this.#o.threads.add(conversationId, !m.inThread);
    this.#order
      .run(
        conversationId,
        () => this.#request(m, { turnId, conversationId, channelId, readThread }),
        (request) => {
          // Built once the asker's language is known: its controls and status lines are in it.
          const surface = this.#o.surfaces.forThread(
            { teamId: m.teamId, channel: m.channel, threadTs: m.threadTs, conversationId, channelId, turnId, askerId: m.user, locale: request.locale },
            log,
            { recipientUserId: m.user, question: m.text },
          );
          return this.#o.core.answer(request, { surface, attachments: this.#o.files });
        },
      )
      .then((outcome) => log.debug({ outcome }, 'turn ended'))
      .catch((err: unknown) => log.error({ err }, 'turn failed'));
  }

  /** The turn for the core: the author by name, the place, and the thread read when the bot was called into one. */
  async #request(m: SlackMessage, ids: { turnId: string; conversationId: string; channelId: string; readThread: boolean }): Promise<TurnRequest> {
    const [name, locale, earlier, place] = await Promise.all([
      this.#o.users.nameOf(m.teamId, m.user),
      this.#o.locales.of(m.teamId, m.user),
      ids.readThread
        ? this.#o.reader.read({ teamId: m.teamId, channel: m.channel, threadTs: m.threadTs, beforeTs: m.ts, max: this.#o.contextMaxMessages })
        : undefined,
      this.#o.places.of(m),
    ]);
    return {
      turnId: ids.turnId,
      conversationId: ids.conversationId,
      channelId: ids.channelId,
      author: { id: m.user, name },
      text: m.text,
      attachments: m.attachments,
      // The turn id is `conversation:ts`; a later read of the thread finds the question by its ts.
      platformMessageId: m.ts,
      earlier,
      place,
      workspaceId: workspaceIdOf(m),
      locale,
    };
  }
}
