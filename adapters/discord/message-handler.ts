/**
 * Turns a Discord message into a turn for the core, or ignores it. Who is
 * answered: a mention in a channel (in a new thread started from the message,
 * or in reply mode as a reply); any message from a person in a thread the bot
 * started (or a mention in another thread); a reply to one of the bot's
 * messages; every DM. Bots, the bot itself and people not allowed get nothing.
 */
import {
  ChannelType,
  ThreadAutoArchiveDuration,
  type Client,
  type Message,
  type TextBasedChannel,
} from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../src/config.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { TurnRequest } from '../../src/conversation/types.ts';
import type { EventDeduper } from '../../src/store/dedupe.ts';
import type { LocaleSetting } from '../../src/i18n/locale.ts';
import { userTextIn, type PermissionName } from '../../src/user-text.ts';
import { isAllowedMessage } from './access.ts';
import { attachmentsOf, type DiscordAttachments } from './attachments.ts';
import type { DiscordContextReader } from './context-reader.ts';
import { channelKey, conversationOfChannel, conversationOfReplyChain, workspaceOf } from './conversation-ids.ts';
import { messageLocale } from './locale.ts';
import { isReply, messageText } from './message-text.ts';
import { isMissingPermission } from './platform-error.ts';
import type { LatestReplyChains } from './latest-chain.ts';
import { findChainRoot } from './reply-chain.ts';
import { ChannelSurface } from './surface.ts';
import { threadName } from './thread-name.ts';
import { turnPlace } from './turn-place.ts';

/** Where an answer goes and which conversation it belongs to. */
interface Route {
  readonly conversationId: string;
  readonly channelId: string;
  /** The channel to write in, or 'new-thread' to start one from the message first. */
  readonly target: TextBasedChannel | 'new-thread';
  /** Reply to the user's message (reply mode and reply chains). */
  readonly reply: boolean;
  /** A mention in reply mode: the message roots a new reply chain, which becomes the person's newest there. */
  readonly startsChain?: boolean;
  /** The root of the reply chain the conversation is, if it is one: the answer's buttons carry it. */
  readonly chainRoot?: string;
}

const DEDUPE_TTL_MS = 10 * 60 * 1000;

export class MessageHandler {
  readonly #client: Client<true>;
  readonly #core: ConversationCore;
  readonly #config: DiscordConfig;
  readonly #attachments: DiscordAttachments;
  readonly #context: DiscordContextReader;
  readonly #dedupe: EventDeduper;
  readonly #chains: LatestReplyChains;
  readonly #log: Logger;
  readonly #locale: LocaleSetting;

  constructor(opts: {
    client: Client<true>;
    core: ConversationCore;
    config: DiscordConfig;
    attachments: DiscordAttachments;
    context: DiscordContextReader;
    dedupe: EventDeduper;
    chains: LatestReplyChains;
    logger: Logger;
    locale: LocaleSetting;
  }) {
    this.#client = opts.client;
    this.#core = opts.core;
    this.#config = opts.config;
    this.#attachments = opts.attachments;
    this.#context = opts.context;
    this.#dedupe = opts.dedupe;
    this.#chains = opts.chains;
    this.#log = opts.logger;
    this.#locale = opts.locale;
  }

  async handle(message: Message): Promise<void> {
    if (message.author.bot || message.author.id === this.#client.user.id || message.system) return;
    if (message.channel.partial) await message.channel.fetch();
    const route = await this.#route(message);
    if (!route) return;
    if (!isAllowedMessage(this.#config.allowed, message)) {
      this.#log.debug({ user: message.author.id, channel: message.channelId }, 'message from a user not allowed');
      return;
    }
    // Two processes on one token (a misconfigured deployment) must not both answer.
    if (!(await this.#firstSeen(message.id))) return;

    const log = this.#log.child({ conversation: route.conversationId, turn: message.id });
    // The thread opens while the conversation it was called into is read.
    const [channel, earlier] = await Promise.all([
      route.target === 'new-thread' ? this.#startThread(message, log) : route.target,
      this.#context.read(message),
    ]);
    if (!channel) return;
    const conversationId = route.target === 'new-thread' ? conversationOfChannel(message.guildId, channel.id) : route.conversationId;
    if (route.startsChain && message.guildId) {
      await this.#chains
        .remember({ guildId: message.guildId, channelId: message.channelId, userId: message.author.id }, conversationId)
        .catch((err: unknown) => log.warn({ err }, 'could not record the newest reply chain; /reset in the channel will not find it'));
    }

    const request: TurnRequest = {
      turnId: message.id,
      conversationId,
      channelId: route.channelId,
      author: { id: message.author.id, name: message.member?.displayName ?? message.author.displayName },
      text: this.#questionText(message),
      attachments: attachmentsOf(message),
      earlier,
      place: turnPlace(channel, this.#client),
      workspaceId: message.guildId ? workspaceOf(message.guildId) : undefined,
      locale: messageLocale(this.#locale, message),
    };
    const surface = new ChannelSurface({
      locale: request.locale ?? 'en',
      rest: this.#client.rest,
      channelId: channel.id,
      turnId: message.id,
      askerId: message.author.id,
      replyTo: route.reply ? message.id : undefined,
      chainRoot: route.chainRoot,
    });
    const outcome = await this.#core.answer(request, { surface, attachments: this.#attachments });
    if (outcome.type === 'failed' && outcome.kind === 'platform-forbidden') {
      await this.#sayMissingPermission(message, channel.isThread() ? 'send-messages-in-threads' : 'send-messages', log);
    } else if (outcome.type === 'failed') {
      await this.#markFailed(message, log);
    }
  }

  /**
   * Discord refused the answer (50013/50001): one clear log line naming the permission, and
   * a reply where the question was asked, if the bot may write there (a thread's parent channel).
   */
  async #sayMissingPermission(message: Message, permission: PermissionName, log: Logger): Promise<void> {
    log.error({ channel: message.channelId, permission }, `cannot answer: missing ${userTextIn('en').permissionName(permission)} permission`);
    try {
      const texts = userTextIn(messageLocale(this.#locale, message));
      await message.reply({ content: texts.missingPermission(permission), allowedMentions: { parse: [], repliedUser: false } });
    } catch {
      await this.#markFailed(message, log);
    }
  }

  async #route(message: Message): Promise<Route | undefined> {
    const me = this.#client.user.id;
    const channel = message.channel;
    const mentioned = message.mentions.users.has(me);
    if (channel.type === ChannelType.DM) {
      const id = conversationOfChannel(undefined, channel.id);
      return { conversationId: id, channelId: id, target: channel, reply: false };
    }
    if (!message.guildId) return undefined;
    if (channel.isThread()) {
      const ownThread = channel.ownerId === me;
      const follows = ownThread && (this.#config.followupsWithoutMention || mentioned);
      if (!follows && !mentioned && !(await this.#repliesToMe(message))) return undefined;
      return {
        conversationId: conversationOfChannel(message.guildId, channel.id),
        channelId: channelKey(message.guildId, channel.parentId ?? channel.id),
        target: channel,
        reply: false,
      };
    }
    if (!channel.isTextBased() || !('guildId' in channel)) return undefined;
    const chainRoot = isReply(message) ? await findChainRoot(message, me) : undefined;
    if (chainRoot !== undefined) {
      return {
        conversationId: conversationOfReplyChain(message.guildId, channel.id, chainRoot),
        channelId: channelKey(message.guildId, channel.id),
        target: channel,
        reply: true,
        chainRoot,
      };
    }
    if (!mentioned) return undefined;
    if (this.#config.replyMode === 'reply') {
      return {
        conversationId: conversationOfReplyChain(message.guildId, channel.id, message.id),
        channelId: channelKey(message.guildId, channel.id),
        target: channel,
        reply: true,
        startsChain: true,
        chainRoot: message.id,
      };
    }
    return { conversationId: '', channelId: channelKey(message.guildId, channel.id), target: 'new-thread', reply: false };
  }

  async #repliesToMe(message: Message): Promise<boolean> {
    if (!isReply(message)) return false;
    const referenced = await message.fetchReference().catch(() => undefined);
    return referenced?.author.id === this.#client.user.id;
  }

  async #startThread(message: Message, log: Logger): Promise<TextBasedChannel | undefined> {
    try {
      return await message.startThread({
        name: threadName(this.#questionText(message), userTextIn(messageLocale(this.#locale, message)).threadNameFallback),
        autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
      });
    } catch (err) {
      if (isMissingPermission(err)) {
        log.error({ err, channel: message.channelId }, 'cannot create threads: missing Create Public Threads permission');
        await message
          .reply({ content: userTextIn(messageLocale(this.#locale, message)).missingPermission('create-public-threads'), allowedMentions: { parse: [], repliedUser: false } })
          .catch((replyErr: unknown) => log.error({ err: replyErr }, 'cannot send messages either: missing Send Messages permission'));
        return undefined;
      }
      log.error({ err }, 'could not start a thread');
      await this.#markFailed(message, log);
      return undefined;
    }
  }

  /** The question as the model should read it: without the bot's own mention, other mentions as names, forwards and embeds included. */
  #questionText(message: Message): string {
    return messageText(message, { dropMentionOf: this.#client.user.id });
  }

  async #firstSeen(messageId: string): Promise<boolean> {
    try {
      return await this.#dedupe.firstSeen(`discord:message:${messageId}`, DEDUPE_TTL_MS);
    } catch (err) {
      this.#log.warn({ err }, 'dedupe store unavailable; answering anyway');
      return true;
    }
  }

  /** A ⚠️ on the user's message when the answer failed; the core has already written why, if it could. */
  async #markFailed(message: Message, log: Logger): Promise<void> {
    await message.react('⚠️').catch((err: unknown) => log.warn({ err }, 'could not add the failure reaction'));
  }
}
