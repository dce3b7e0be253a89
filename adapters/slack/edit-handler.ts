/**
 * A person edited a message (`message` event, subtype `message_changed`; docs.slack.dev
 * reference/events/message/message_changed): when it asked the newest question of its
 * thread, within EDIT_FOLLOW_MINUTES, the core writes the answer again from the edited
 * text, into the answer's own messages. An edit of an older question, or one made too
 * late, changes nothing and says so once, to its author alone. Slack also sends
 * `message_changed` when it adds a link preview (same text) and for every update of the
 * bot's own messages: both are passed over before anything is looked up.
 */
import { z } from 'zod';
import { channelIdOf, conversationIdOf, isAllowed, parseMessageEvent, workspaceIdOf } from './incoming.ts';
import type { MessageEventArgs, MessageHandlerOptions } from './message-handler.ts';
import { toMrkdwn } from './mrkdwn.ts';

/** Slack retries an event for about 6 minutes (platform-limits.md §2d); a day covers it. */
const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

const changedSchema = z.object({
  type: z.literal('message'),
  subtype: z.literal('message_changed'),
  channel: z.string(),
  channel_type: z.string().optional(),
  message: z.looseObject({ ts: z.string(), text: z.string().optional(), bot_id: z.string().optional(), edited: z.object({ ts: z.string() }).optional() }),
  previous_message: z.looseObject({ text: z.string().optional() }).optional(),
});

/**
 * What the message handler has, but the memory and reading of threads and the names of
 * people: an edit is of a question the bot already answered, whose context history holds.
 */
export interface EditHandlerOptions extends Omit<MessageHandlerOptions, 'threads' | 'reader' | 'contextMaxMessages' | 'users'> {
  /** EDIT_FOLLOW_MINUTES, in ms: the private note about a late edit names it. */
  readonly editFollowMs: number;
}

export class EditHandler {
  readonly #o: EditHandlerOptions;

  constructor(options: EditHandlerOptions) {
    this.#o = options;
  }

  async handle(args: MessageEventArgs): Promise<void> {
    const changed = changedSchema.safeParse(args.event);
    if (!changed.success) return;
    const e = changed.data;
    // The bot's own streaming updates, and link previews Slack adds (the text unchanged), are no edits.
    if (e.message.bot_id !== undefined || !e.message.edited || e.previous_message?.text === e.message.text) return;
    const body = args.body as { event_id?: string; team_id?: string };
    const parsed = parseMessageEvent({ ...e.message, type: 'message', channel: e.channel, channel_type: e.channel_type }, body.team_id, this.#o.bot);
    if (parsed.type === 'ignore') return;
    const m = parsed.message;
    // Only a message the bot could have answered: a mention, a DM, or one in a thread (a follow-up needs no mention).
    if (!(m.mentionsBot || m.channelType === 'im' || m.inThread) || !isAllowed(this.#o.config.allowed, m)) return;
    if (!(await this.#first(`slack:edit:${m.channel}:${m.ts}:${e.message.edited.ts}`))) return;

    const conversationId = conversationIdOf(m);
    const channelId = channelIdOf(m);
    const turnId = `${conversationId}:${m.ts}`;
    const log = this.#o.logger.child({ conversation: conversationId, turn: turnId });
    const texts = await this.#o.locales.textsOf(m.teamId, m.user);
    const surface = this.#o.surfaces.forThread(
      { teamId: m.teamId, channel: m.channel, threadTs: m.threadTs, conversationId, channelId, turnId, askerId: m.user, locale: texts.locale },
      log,
      { recipientUserId: m.user, question: m.text },
    );
    const outcome = await this.#o.core.followEdit(
      {
        conversationId,
        channelId,
        turnId,
        text: m.text,
        attachments: m.attachments,
        place: await this.#o.places.of(m),
        workspaceId: workspaceIdOf(m),
        locale: texts.locale,
      },
      { surface, attachments: this.#o.files },
    );
    log.debug({ outcome: outcome.type }, 'edited message handled');
    if (outcome.type !== 'not-newest' && outcome.type !== 'too-late') return;
    // Once per message, however often it is edited.
    if (!(await this.#first(`slack:edit-notice:${m.channel}:${m.ts}`))) return;
    await this.#o.client.chat
      .postEphemeral({
        channel: m.channel,
        user: m.user,
        thread_ts: m.threadTs,
        text: toMrkdwn(texts.editNotFollowed(outcome.type, Math.round(this.#o.editFollowMs / 60_000))),
      })
      .catch((err: unknown) => log.warn({ err }, 'could not tell the editor their edit changed nothing'));
  }

  async #first(key: string): Promise<boolean> {
    try {
      return await this.#o.dedupe.firstSeen(key, DEDUPE_TTL_MS);
    } catch (err) {
      this.#o.logger.warn({ err }, 'dedupe store failed; handling the edit anyway');
      return true;
    }
  }
}
