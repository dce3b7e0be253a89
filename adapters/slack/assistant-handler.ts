/**
 * `assistant_thread_started`: a user opened a thread in the assistant container (the
 * assistant experience). The thread is remembered and gets the suggested prompts.
 * Payload (docs.slack.dev events/assistant_thread_started; @slack/types
 * `AssistantThreadStartedEvent`): `assistant_thread.{user_id, channel_id, thread_ts,
 * context}`; the team is on the envelope.
 *
 * Plain listeners, not Bolt's `Assistant` class: its middleware takes every `message.im`
 * in a thread (channel_type `im` with a `thread_ts`) away from the app's other listeners
 * (bolt-js src/Assistant.ts `isAssistantMessage`, `enrichAssistantArgs` drops `next`),
 * so DM follow-ups would bypass message-handler.ts and its de-duplication, allowlists and
 * turn handling; and its default context store writes message metadata we do not use.
 * Messages in assistant threads are DMs, which message-handler.ts answers without a mention.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Allowed } from './incoming.ts';
import { isAllowed } from './incoming.ts';
import type { AiTurns } from './ai-turn-surface.ts';
import type { SlackLocales } from './locales.ts';

const threadStartedSchema = z.object({
  assistant_thread: z.object({
    user_id: z.string(),
    channel_id: z.string(),
    thread_ts: z.string(),
  }),
});

const envelopeSchema = z.object({ team_id: z.string() });

export class AssistantHandler {
  readonly #ai: AiTurns;
  readonly #allowed: Allowed;
  readonly #logger: Logger;
  readonly #locales: SlackLocales;

  constructor(opts: { ai: AiTurns; allowed: Allowed; logger: Logger; locales: SlackLocales }) {
    this.#ai = opts.ai;
    this.#allowed = opts.allowed;
    this.#logger = opts.logger;
    this.#locales = opts.locales;
  }

  async threadStarted(args: { event: unknown; body: unknown }): Promise<void> {
    const event = threadStartedSchema.safeParse(args.event);
    const envelope = envelopeSchema.safeParse(args.body);
    if (!event.success || !envelope.success) {
      this.#logger.debug('assistant_thread_started of an unexpected shape ignored');
      return;
    }
    const { user_id: user, channel_id: channel, thread_ts: threadTs } = event.data.assistant_thread;
    const teamId = envelope.data.team_id;
    if (!this.#ai.surface.assistantThreadSeen()) return;
    if (!isAllowed(this.#allowed, { teamId, channel, user })) return;
    const log = this.#logger.child({ channel, thread: threadTs });
    await this.#ai.assistantThreads.started({ teamId, channel, threadTs }, log, await this.#locales.of(teamId, user));
    log.debug('assistant thread started');
  }
}
