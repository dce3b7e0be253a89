/**
 * "Ask Gemini about this", the message shortcut (manifest.yaml, callback id
 * `ask_about_message`; a `message_action` payload, docs.slack.dev
 * interactivity/implementing-shortcuts): it opens a conversation about someone's
 * message without quoting it. The bot writes a line in the message's thread and
 * answers there; where it may not write (it is not in that channel, a DM between
 * other people), it opens a DM with the person who asked (`conversations.open`,
 * scope `im:write`) and answers in a thread there. The message, its files and its
 * author go in as the first question's context (`TurnRequest.earlier`).
 */
import type { AllMiddlewareArgs, SlackShortcutMiddlewareArgs, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { AttachmentResolver, EarlierMessage } from '../../src/conversation/types.ts';
import type { AnswerSurfaces } from './answer-surfaces.ts';
import { attachmentOfFile, channelIdOf, conversationIdOf, fileSchema, isAllowed, workspaceIdOf, type Allowed } from './incoming.ts';
import { toMrkdwn } from './mrkdwn.ts';
import { toPlatformError } from './platform-errors.ts';
import { mentionedUsers, readableText } from './readable-text.ts';
import type { SlackPlaces } from './turn-place.ts';
import type { SlackUserDirectory } from './user-directory.ts';
import type { SlackLocales } from './locales.ts';
import type { UserText } from '../../src/user-text.ts';

export const ASK_ABOUT_CALLBACK = 'ask_about_message';

export type ShortcutArgs = SlackShortcutMiddlewareArgs & AllMiddlewareArgs;

const shortcutSchema = z.object({
  type: z.literal('message_action'),
  action_ts: z.string(),
  channel: z.object({ id: z.string() }),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  message: z.object({
    ts: z.string(),
    thread_ts: z.string().optional(),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    bot_profile: z.object({ name: z.string().optional() }).optional(),
    username: z.string().optional(),
    text: z.string().optional().default(''),
    files: z.array(fileSchema).optional().default([]),
  }),
});
type Shortcut = z.infer<typeof shortcutSchema>;

/** How much of the message the DM's opening line quotes. */
const QUOTE_CHARS = 300;

export interface AskAboutOptions {
  readonly core: ConversationCore;
  readonly allowed: Allowed;
  readonly bot: { readonly userId: string; readonly botId: string | undefined };
  readonly users: SlackUserDirectory;
  readonly surfaces: AnswerSurfaces;
  readonly files: AttachmentResolver;
  readonly places: SlackPlaces;
  readonly locales: SlackLocales;
  readonly logger: Logger;
}

export class AskAboutHandler {
  readonly #o: AskAboutOptions;

  constructor(options: AskAboutOptions) {
    this.#o = options;
  }

  async handle({ ack, shortcut, client, respond }: ShortcutArgs): Promise<void> {
    await ack();
    const parsed = shortcutSchema.safeParse(shortcut);
    if (!parsed.success) return;
    const p = parsed.data;
    const teamId = p.team?.id ?? p.user.team_id;
    if (!teamId) return;
    const where = { teamId, channel: p.channel.id, user: p.user.id };
    const texts = await this.#o.locales.textsOf(teamId, p.user.id);
    if (!isAllowed(this.#o.allowed, where)) {
      await respond({ response_type: 'ephemeral', text: toMrkdwn(texts.notAllowed) });
      return;
    }
    const log = this.#o.logger.child({ about: p.message.ts, channel: p.channel.id });
    const about = await this.#about(p, teamId);
    if (!about) {
      await respond({ response_type: 'ephemeral', text: toMrkdwn(texts.askAboutNothing) });
      return;
    }
    const opened = await this.#open(client, p, teamId, about, texts, log);
    if (!opened) {
      await respond({ response_type: 'ephemeral', text: toMrkdwn(texts.askAboutFailed) });
      return;
    }
    const thread = { teamId, channel: opened.channel, threadTs: opened.threadTs };
    const conversationId = conversationIdOf(thread);
    const channelId = channelIdOf(thread);
    const turnId = `${conversationId}:${p.action_ts}`;
    const surface = this.#o.surfaces.forThread({ ...thread, conversationId, channelId, turnId, askerId: p.user.id, locale: texts.locale }, log, {
      recipientUserId: p.user.id,
      question: texts.askAboutQuestion,
    });
    const outcome = await this.#o.core.answer(
      {
        turnId,
        conversationId,
        channelId,
        author: { id: p.user.id, name: await this.#o.users.nameOf(teamId, p.user.id) },
        text: texts.askAboutQuestion,
        attachments: [],
        earlier: { messages: [about], truncated: false },
        place: await this.#o.places.of({ teamId, channel: opened.channel, channelType: undefined }),
        workspaceId: workspaceIdOf(thread),
        locale: texts.locale,
      },
      { surface, attachments: this.#o.files },
    );
    log.debug({ outcome, conversation: conversationId }, 'asked about a message');
  }

  /** The message as the core reads it in: its author named, mentions as names; undefined when it says nothing. */
  async #about(p: Shortcut, teamId: string): Promise<EarlierMessage | undefined> {
    const m = p.message;
    const ids = mentionedUsers(m.text).filter((id) => id !== this.#o.bot.userId);
    const names = new Map(await Promise.all(ids.map(async (id) => [id, await this.#o.users.nameOf(teamId, id)] as const)));
    const text = readableText(m.text, names).trim();
    const attachments = m.files.map(attachmentOfFile);
    if (text === '' && attachments.length === 0) return undefined;
    const mine = m.user === this.#o.bot.userId || (m.bot_id !== undefined && m.bot_id === this.#o.bot.botId);
    const author =
      m.bot_id && !mine
        ? { id: m.bot_id, name: m.bot_profile?.name ?? m.username ?? 'a bot' }
        : { id: m.user ?? 'unknown', name: mine ? 'the bot' : await this.#o.users.nameOf(teamId, m.user ?? '') };
    return { platformMessageId: m.ts, role: mine ? 'assistant' : 'user', author, text, attachments, at: Math.round(Number(m.ts) * 1000) };
  }

  /** The message's thread, if the bot may write there; else a DM with the person, in a thread of its own. */
  async #open(
    client: webApi.WebClient,
    p: Shortcut,
    teamId: string,
    about: EarlierMessage,
    texts: UserText,
    log: Logger,
  ): Promise<{ channel: string; threadTs: string } | undefined> {
    const threadTs = p.message.thread_ts ?? p.message.ts;
    try {
      const asker = await this.#o.users.nameOf(teamId, p.user.id);
      await client.chat.postMessage({ channel: p.channel.id, thread_ts: threadTs, text: toMrkdwn(texts.askAboutOpener(asker)) });
      return { channel: p.channel.id, threadTs };
    } catch (err) {
      log.info({ err: toPlatformError(err, 'chat.postMessage') }, 'may not write where the message is; answering in a DM');
    }
    try {
      const dm = (await client.conversations.open({ users: p.user.id })).channel?.id;
      if (!dm) return undefined;
      const quoted = about.text.length > QUOTE_CHARS ? `${about.text.slice(0, QUOTE_CHARS)}…` : about.text;
      const first = await client.chat.postMessage({ channel: dm, text: toMrkdwn(texts.askAboutOpenerDm(about.author.name, quoted)) });
      return first.ts ? { channel: dm, threadTs: first.ts } : undefined;
    } catch (err) {
      log.warn({ err: toPlatformError(err, 'conversations.open') }, 'could not open a DM to answer about a message');
      return undefined;
    }
  }
}
