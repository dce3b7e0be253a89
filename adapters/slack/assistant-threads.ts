/**
 * Slack's assistant experience (`assistant_view`): a thread the user opens in the
 * assistant container gets suggested prompts (`assistant.threads.setSuggestedPrompts`),
 * each answer there a status line (`assistant.threads.setStatus`, see
 * assistant-status.ts), and the thread a title from its first question
 * (`assistant.threads.setTitle`). Every call takes `channel_id` and `thread_ts`
 * (docs.slack.dev reference for each method).
 *
 * The threads come from `assistant_thread_started` and are remembered in the store, so
 * any instance, also after a restart, knows a thread is an assistant thread and whether
 * it has its title yet.
 */
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import type { SuggestedPrompt } from '../../src/config.ts';
import { questionTitle } from '../../src/conversation/question-title.ts';
import type { Locale } from '../../src/i18n/locale.ts';
import { userTextIn } from '../../src/user-text.ts';
import { type AiCallResult, type SlackAiSurface } from './ai-surface.ts';
import { AssistantStatusLine, unrefSleep } from './assistant-status.ts';
import { conversationIdOf } from './incoming.ts';
import type { SlackThread } from './surface.ts';
import type { webApi } from '@slack/bolt';
import { z } from 'zod';

/** As long as a conversation's history is kept by default (HISTORY_TTL_DAYS). */
const THREAD_TTL_MS = 90 * 24 * 3600_000;
/** Characters of the title taken from the first question. */
const TITLE_MAX = 60;
/** setSuggestedPrompts and setTitle are Tier 3 at the strictest reading (java-slack-sdk); a 429 is waited out this often. */
const MAX_RATE_LIMITED = 2;

const recordSchema = z.object({ titled: z.boolean() });

type Place = Pick<SlackThread, 'teamId' | 'channel' | 'threadTs'>;

export interface AssistantThreadsOptions {
  readonly client: webApi.WebClient;
  readonly ai: SlackAiSurface;
  /** The store's settings namespace (`AdapterDeps.settings`). */
  readonly settings: Keyv;
  /** SLACK_SUGGESTED_PROMPTS; undefined: the bot's own, in the language of whoever opened the thread. */
  readonly prompts: readonly SuggestedPrompt[] | undefined;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class AssistantThreads {
  readonly #o: AssistantThreadsOptions;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(opts: AssistantThreadsOptions) {
    this.#o = opts;
    this.#sleep = opts.sleep ?? unrefSleep;
  }

  /** `assistant_thread_started`: remembers the thread and offers the suggested prompts in it, in `locale`. */
  async started(place: Place, log: Logger, locale: Locale): Promise<void> {
    await this.#remember(place, { titled: false }, log);
    const { channel, threadTs } = place;
    const texts = userTextIn(locale);
    const prompts = (this.#o.prompts ?? texts.suggestedPrompts).map((p) => ({ title: p.title, message: p.message }));
    await this.#call('assistant.threads.setSuggestedPrompts', log, () =>
      this.#o.client.assistant.threads.setSuggestedPrompts({ channel_id: channel, thread_ts: threadTs, title: texts.suggestedPromptsTitle, prompts }),
    );
  }

  /**
   * A turn starts in `place`: for an assistant thread, its status line (and, on the
   * thread's first question, its title; a regeneration has no `question` to give one);
   * undefined elsewhere.
   */
  async forTurn(place: Place & Pick<SlackThread, 'locale'>, question: string | undefined, log: Logger): Promise<AssistantStatusLine | undefined> {
    const record = await this.#recall(place, log);
    if (!record) return undefined;
    const { channel, threadTs } = place;
    const status = new AssistantStatusLine({
      send: (text) =>
        this.#o.ai.kind === 'assistant'
          ? this.#o.ai.call('assistant.threads.setStatus', log, () =>
              this.#o.client.assistant.threads.setStatus({ channel_id: channel, thread_ts: threadTs, status: text }),
            )
          : Promise.resolve({ type: 'failed' }),
      sleep: this.#sleep,
    });
    if (!record.titled && question !== undefined) {
      await this.#remember(place, { titled: true }, log);
      const title = questionTitle(question, TITLE_MAX, userTextIn(place.locale ?? 'en').threadNameFallback);
      this.#call('assistant.threads.setTitle', log, () =>
        this.#o.client.assistant.threads.setTitle({ channel_id: channel, thread_ts: threadTs, title }),
      ).catch((err: unknown) => log.debug({ err }, 'could not set the thread title'));
    }
    return status;
  }

  /** One call, a 429 waited out a few times. */
  async #call(method: string, log: Logger, run: () => Promise<unknown>): Promise<AiCallResult> {
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.#o.ai.call(method, log, run);
      if (result.type !== 'rate-limited' || attempt >= MAX_RATE_LIMITED) return result;
      await this.#sleep(result.retryAfterMs);
    }
  }

  async #recall(place: Place, log: Logger): Promise<z.infer<typeof recordSchema> | undefined> {
    try {
      const parsed = recordSchema.safeParse(await this.#o.settings.get(keyOf(place)));
      return parsed.success ? parsed.data : undefined;
    } catch (err) {
      log.warn({ err }, 'could not read whether a thread is an assistant thread');
      return undefined;
    }
  }

  async #remember(place: Place, record: z.infer<typeof recordSchema>, log: Logger): Promise<void> {
    try {
      await this.#o.settings.set(keyOf(place), record, THREAD_TTL_MS);
    } catch (err) {
      log.warn({ err }, 'could not remember an assistant thread');
    }
  }
}

const keyOf = (place: Place) => `slack:assistant-thread:${conversationIdOf(place)}`;
