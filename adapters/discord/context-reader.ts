/**
 * Reads the conversation a mention is called into, as the core's earlier
 * messages: in a thread or forum post the bot did not open, the thread's earlier
 * messages (`GET /channels/{id}/messages`, newest back to the cap, 100 a page); for
 * a reply to someone else's message, that message and the reply chain above it.
 * Every read goes through discord.js's REST, which queues on rate limits and waits
 * out 429s. The bot's own messages become assistant messages.
 */
import { MessageType, type Client, type Message, type ThreadChannel } from 'discord.js';
import type { Logger } from 'pino';
import type { EarlierContext, EarlierMessage } from '../../src/conversation/types.ts';
import { attachmentsOf } from './attachments.ts';
import { isReply, messageText } from './message-text.ts';
import { toPlatformError } from './platform-error.ts';

/** Discord's largest page of `GET /channels/{id}/messages` (limit 1–100; discord-api-spec list_messages). */
const PAGE_LIMIT = 100;

/** Messages people write (and the bot's command answers); joins, pins and other system messages are left out. */
const SPOKEN = new Set<MessageType>([MessageType.Default, MessageType.Reply, MessageType.ChatInputCommand, MessageType.ContextMenuCommand]);

export class DiscordContextReader {
  readonly #client: Client<true>;
  readonly #max: number;
  readonly #log: Logger;

  constructor(opts: { client: Client<true>; maxMessages: number; logger: Logger }) {
    this.#client = opts.client;
    this.#max = opts.maxMessages;
    this.#log = opts.logger;
  }

  /** What the message is called into, or undefined when there is nothing to read (the bot's own thread, no reply). */
  async read(message: Message): Promise<EarlierContext | undefined> {
    const me = this.#client.user.id;
    const channel = message.channel;
    try {
      if (channel.isThread() && channel.ownerId !== me) return await this.#thread(channel, message.id);
      if (isReply(message)) return await this.#replyChain(message);
      return undefined;
    } catch (err) {
      const failure = toPlatformError(err);
      // The message replied to was deleted: there is nothing to read, and nothing to apologise for.
      if (failure.kind === 'gone') return undefined;
      this.#log.warn({ err: failure, channel: message.channelId }, 'could not read the earlier messages');
      return { messages: [], truncated: false, failure: failure.kind === 'forbidden' ? 'forbidden' : 'unavailable' };
    }
  }

  /** The thread's messages before `before`, newest back to the cap, returned oldest first. */
  async #thread(thread: ThreadChannel, before: string): Promise<EarlierContext> {
    const newestFirst: Message[] = [];
    let cursor = before;
    let truncated = false;
    let reachedStart = false;
    while (newestFirst.length < this.#max) {
      const wanted = this.#max - newestFirst.length;
      // One more than wanted tells whether older messages remain, without another request.
      const limit = Math.min(PAGE_LIMIT, wanted + 1);
      const page = [...(await thread.messages.fetch({ before: cursor, limit, cache: false })).values()];
      if (page.length > wanted) {
        newestFirst.push(...page.slice(0, wanted));
        truncated = true;
        break;
      }
      newestFirst.push(...page);
      const last = page.at(-1);
      if (page.length < limit || !last) {
        reachedStart = true;
        break;
      }
      cursor = last.id;
    }
    const messages = newestFirst.reverse();
    // A thread started from a channel message opens with a pointer to it (THREAD_STARTER_MESSAGE): read the message itself.
    const first = messages[0];
    if (reachedStart && first?.type === MessageType.ThreadStarterMessage) {
      const starter = await first.fetchReference().catch(() => undefined);
      if (starter) messages[0] = starter;
    }
    return { messages: this.#earlier(messages), truncated };
  }

  /** The message replied to and the chain above it, oldest first; the reply to one of the bot's own messages reads nothing. */
  async #replyChain(message: Message): Promise<EarlierContext | undefined> {
    const chain: Message[] = [];
    const seen = new Set<string>([message.id]);
    let current = message;
    let truncated = false;
    while (isReply(current)) {
      if (chain.length >= this.#max) {
        truncated = true;
        break;
      }
      // The first hop may fail loudly (a missing permission is worth saying); higher up, a deleted message just ends the chain.
      const referenced = chain.length === 0 ? await current.fetchReference() : await current.fetchReference().catch(() => undefined);
      if (!referenced || seen.has(referenced.id)) break;
      if (chain.length === 0 && referenced.author.id === this.#client.user.id) return undefined;
      seen.add(referenced.id);
      chain.push(referenced);
      current = referenced;
    }
    return { messages: this.#earlier(chain.reverse()), truncated };
  }

  #earlier(messages: readonly Message[]): EarlierMessage[] {
    return messages.flatMap((m) => {
      const earlier = SPOKEN.has(m.type) ? earlierMessageOf(m, this.#client.user.id) : undefined;
      return earlier ? [earlier] : [];
    });
  }
}

/** A message as the core reads it in (its author named, forwards and embeds as text); undefined when it says nothing. */
export function earlierMessageOf(m: Message, botId: string): EarlierMessage | undefined {
  const text = messageText(m);
  const attachments = attachmentsOf(m);
  if (text === '' && attachments.length === 0) return undefined;
  return {
    platformMessageId: m.id,
    role: m.author.id === botId ? 'assistant' : 'user',
    author: { id: m.author.id, name: m.member?.displayName ?? m.author.displayName },
    text,
    attachments,
    at: m.createdTimestamp,
  };
}
