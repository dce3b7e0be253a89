/**
 * The events of Slack's agent experience:
 * - `agent_session_stopped`: the user pressed the session's native stop button. Payload
 *   (docs.slack.dev events/agent_session_stopped): `channel`, `thread_ts`, `user`,
 *   `streaming_message_ts` (the streams Slack already stopped); the team is on the
 *   envelope. It stops the thread's turn like our Stop control, with the same rule on who
 *   may (moderation.ts); with no turn running, the session is moved out of `processing`,
 *   which Slack leaves to the app.
 * - `app_home_opened` with `tab: "messages"`: the greeting (agent-greeting.ts).
 * - a suggested question pressed under the greeting: answered in the greeting's thread.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { AttachmentResolver } from '../../src/conversation/types.ts';
import type { ActionArgs } from './action-handler.ts';
import { actionPlace } from './action-handler.ts';
import type { AgentGreeting } from './agent-greeting.ts';
import type { AiTurns } from './ai-turn-surface.ts';
import type { AnswerSurfaces } from './answer-surfaces.ts';
import { channelIdOf, conversationIdOf, isAllowed, type Allowed } from './incoming.ts';
import type { SlackLocales } from './locales.ts';
import type { SlackModeration } from './moderation.ts';
import { toMrkdwn } from './mrkdwn.ts';

const envelopeSchema = z.object({ team_id: z.string() });

const sessionStoppedSchema = z.object({
  channel: z.string(),
  thread_ts: z.string(),
  user: z.string(),
  streaming_message_ts: z.array(z.string()).optional(),
});

const homeOpenedSchema = z.object({ user: z.string(), channel: z.string(), tab: z.string().optional() });

export interface AgentHandlerOptions {
  readonly ai: AiTurns;
  readonly core: ConversationCore;
  readonly surfaces: AnswerSurfaces;
  readonly files: AttachmentResolver;
  readonly greeting: AgentGreeting;
  readonly moderation: SlackModeration;
  readonly allowed: Allowed;
  readonly client: webApi.WebClient;
  readonly locales: SlackLocales;
  readonly logger: Logger;
}

export class AgentHandler {
  readonly #o: AgentHandlerOptions;

  constructor(opts: AgentHandlerOptions) {
    this.#o = opts;
  }

  async sessionStopped(args: { event: unknown; body: unknown }): Promise<void> {
    const event = sessionStoppedSchema.safeParse(args.event);
    const envelope = envelopeSchema.safeParse(args.body);
    if (!event.success || !envelope.success) return this.#o.logger.debug('agent_session_stopped of an unexpected shape ignored');
    const { channel, thread_ts: threadTs, user } = event.data;
    const place = { teamId: envelope.data.team_id, channel, threadTs };
    const log = this.#o.logger.child({ conversation: conversationIdOf(place) });
    const { sessions } = this.#o.ai;
    const running = await sessions.running(place, log);
    if (!running) {
      log.info({ user }, 'agent session stopped with no answer running');
      await sessions.idle(place, log);
      return;
    }
    if (!(await this.#o.moderation.mayActOnAnswer({ teamId: place.teamId, userId: user }, running.askerId))) {
      log.info({ user }, 'agent session stop refused: not the asker or an admin');
      const texts = await this.#o.locales.textsOf(place.teamId, user);
      await this.#o.client.chat.postEphemeral({
        channel,
        user,
        thread_ts: threadTs,
        text: toMrkdwn(texts.onlyAskerMay('stop', texts.answerModerators.slack)),
      });
      return;
    }
    this.#o.ai.stoppedInSlack(running.turnId);
    const stopped = this.#o.core.stop(running.turnId);
    log.info({ turn: running.turnId, stopped, streams: event.data.streaming_message_ts?.length ?? 0 }, 'agent session stopped');
  }

  async homeOpened(args: { event: unknown; body: unknown }): Promise<void> {
    const event = homeOpenedSchema.safeParse(args.event);
    const envelope = envelopeSchema.safeParse(args.body);
    if (!event.success || !envelope.success || event.data.tab !== 'messages') return;
    if (this.#o.ai.surface.kind !== 'agent') return;
    const where = { teamId: envelope.data.team_id, user: event.data.user, channel: event.data.channel };
    if (!isAllowed(this.#o.allowed, where)) return;
    const log = this.#o.logger.child({ channel: where.channel });
    const texts = await this.#o.locales.textsOf(where.teamId, where.user);
    if (await this.#o.greeting.greet(where, log, texts)) log.info({ user: where.user }, 'greeted on the Messages tab');
    else log.debug({ user: where.user }, 'already greeted today');
  }

  /** A suggested question under the greeting: asked as if the person had written it, answered in the greeting's thread. */
  async suggestedQuestion({ ack, action, body }: ActionArgs): Promise<void> {
    await ack();
    const place = actionPlace(body);
    if (!place?.threadTs || !isAllowed(this.#o.allowed, place) || action.type !== 'button' || !action.value) return;
    // Unique per press, and a Slack timestamp, as a turn id's last part must be (surface.ts parseAddress).
    const pressedAt = 'action_ts' in action ? action.action_ts : undefined;
    if (!pressedAt) return;
    const thread = { teamId: place.teamId, channel: place.channel, threadTs: place.threadTs };
    const conversationId = conversationIdOf(thread);
    const turnId = `${conversationId}:${pressedAt}`;
    const log = this.#o.logger.child({ conversation: conversationId });
    const locale = await this.#o.locales.of(place.teamId, place.user);
    const surface = this.#o.surfaces.forThread(
      { ...thread, conversationId, channelId: channelIdOf(thread), turnId, askerId: place.user, locale },
      log,
      { recipientUserId: place.user, question: action.value },
    );
    this.#o.core
      .answer(
        { turnId, conversationId, channelId: channelIdOf(thread), author: { id: place.user, name: place.user }, text: action.value, attachments: [], locale },
        { surface, attachments: this.#o.files },
      )
      .then((outcome) => log.debug({ outcome }, 'turn ended'))
      .catch((err: unknown) => log.error({ err }, 'turn failed'));
  }
}
