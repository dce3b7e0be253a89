/**
 * Slack's agent experience (`agent_view`): every thread the bot answers in is an agent
 * session, whose status the app sets with `agents.sessions.setStatus` (docs.slack.dev
 * "Agent sessions"; arguments `channel_id`, `thread_ts`, `status` one of `processing`,
 * `active`, `suspended`, `closed`, and `title` (200 characters at most) and
 * `initiator_user_id`, both used only when the call creates the session):
 * - `processing` when a turn starts (Slack shows a stop button meanwhile),
 * - `active` when its answer is done,
 * - `closed` after the conversation was reset.
 * Slack does not move a session out of `processing` by itself, also not when the user
 * presses its stop button (`agent_session_stopped`): the app must.
 *
 * Calls for one thread are made in order, so a late `processing` never overwrites the
 * `active` after it. The method is Tier 3 (50+ per minute per workspace, java-slack-sdk
 * MethodsRateLimits): this instance keeps its calls within 50 a minute, two per turn, and
 * waits out a 429 should other instances share the workspace. The turn
 * in progress per thread is kept in the store, so a stop reaching another instance (or
 * arriving after a restart) finds it.
 */
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConversationCore } from '../../src/conversation/core.ts';
import { questionTitle } from '../../src/conversation/question-title.ts';
import { InProcessBudgetLedger } from '../../src/render/budget-ledger.ts';
import { userTextIn } from '../../src/user-text.ts';
import type { SlackAiSurface } from './ai-surface.ts';
import { unrefSleep } from './assistant-status.ts';
import { conversationIdOf } from './incoming.ts';
import type { SlackThread } from './surface.ts';
import type { webApi } from '@slack/bolt';

export type AgentSessionStatus = 'processing' | 'active' | 'suspended' | 'closed';

/** A session's title from the first question: short, as a sidebar shows it (the method takes up to 200). */
const TITLE_MAX = 60;
const MAX_RATE_LIMITED = 3;
/** Tier 3, per workspace. */
const TIER_3 = { limit: 50, windowMs: 60_000 };
/** A turn record outlives any turn (LLM_TIMEOUT_MS is 5 minutes by default), and goes with it. */
const TURN_TTL_MS = 30 * 60_000;

const runningSchema = z.object({ turnId: z.string(), askerId: z.string().optional() });
export type RunningTurn = z.infer<typeof runningSchema>;

type Place = Pick<SlackThread, 'teamId' | 'channel' | 'threadTs'>;

export interface AgentSessionsOptions {
  readonly client: webApi.WebClient;
  readonly ai: SlackAiSurface;
  /** The store's settings namespace (`AdapterDeps.settings`). */
  readonly settings: Keyv;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export class AgentSessions {
  readonly #o: AgentSessionsOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  /** The last call queued per thread: the next waits for it. */
  readonly #queues = new Map<string, Promise<void>>();
  readonly #budget = new InProcessBudgetLedger();
  readonly #now: () => number;

  constructor(opts: AgentSessionsOptions) {
    this.#o = opts;
    this.#sleep = opts.sleep ?? unrefSleep;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * A turn starts: `processing`, the session created with a title from `question` (a
   * regeneration, whose question is not at hand, sends none); the turn is recorded for a stop.
   */
  processing(thread: SlackThread, question: string | undefined, log: Logger): Promise<void> {
    const title = question === undefined ? {} : { title: questionTitle(question, TITLE_MAX, userTextIn(thread.locale ?? 'en').threadNameFallback) };
    const running: RunningTurn = { turnId: thread.turnId, ...(thread.askerId ? { askerId: thread.askerId } : {}) };
    this.#o.settings.set(keyOf(thread), running, TURN_TTL_MS).catch((err: unknown) => log.warn({ err }, 'could not record the turn of an agent session'));
    return this.#set(thread, 'processing', log, { ...title, ...(thread.askerId ? { initiator_user_id: thread.askerId } : {}) });
  }

  /** The turn's answer is done: `active`. */
  async active(thread: SlackThread, log: Logger): Promise<void> {
    await this.#forget(thread, log);
    await this.#set(thread, 'active', log);
  }

  /** No turn runs in the thread (a stop after a restart): moves the session out of `processing`. */
  idle(place: Place, log: Logger): Promise<void> {
    return this.#set(place, 'active', log);
  }

  /** The conversation was reset (New conversation): `closed`. */
  closed(place: Place, log: Logger): Promise<void> {
    return this.#set(place, 'closed', log);
  }

  /** The turn in progress in a thread, if any. */
  async running(place: Place, log: Logger): Promise<RunningTurn | undefined> {
    try {
      const parsed = runningSchema.safeParse(await this.#o.settings.get(keyOf(place)));
      return parsed.success ? parsed.data : undefined;
    } catch (err) {
      log.warn({ err }, 'could not read the turn of an agent session');
      return undefined;
    }
  }

  async #forget(thread: SlackThread, log: Logger): Promise<void> {
    // Only this turn's record: a later turn in the thread has its own.
    const running = await this.running(thread, log);
    if (running?.turnId !== thread.turnId) return;
    await this.#o.settings.delete(keyOf(thread)).catch((err: unknown) => log.debug({ err }, 'could not forget the turn of an agent session'));
  }

  #set(place: Place, status: AgentSessionStatus, log: Logger, extra: { title?: string; initiator_user_id?: string } = {}): Promise<void> {
    const key = conversationIdOf(place);
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#send(place, status, log, extra));
    this.#queues.set(key, next);
    next
      .finally(() => {
        if (this.#queues.get(key) === next) this.#queues.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  async #send(place: Place, status: AgentSessionStatus, log: Logger, extra: { title?: string; initiator_user_id?: string }): Promise<void> {
    if (this.#o.ai.kind !== 'agent') return;
    const args = { channel_id: place.channel, thread_ts: place.threadTs, status, ...extra };
    const scope = { key: `slack:agentSessions:${place.teamId}`, ...TIER_3 };
    for (let attempt = 0; ; attempt += 1) {
      let slot = await this.#budget.reserve(scope, this.#now());
      while (!slot.granted) {
        await this.#sleep(Number.isFinite(slot.retryInMs) ? slot.retryInMs : 1000);
        slot = await this.#budget.reserve(scope, this.#now());
      }
      const result = await this.#o.ai.call('agents.sessions.setStatus', log, () => this.#o.client.agents.sessions.setStatus(args));
      slot.release(this.#now());
      if (result.type !== 'rate-limited' || attempt >= MAX_RATE_LIMITED) return;
      await this.#budget.pause(scope, this.#now(), result.retryAfterMs);
    }
  }
}

const keyOf = (place: Place) => `slack:agent-turn:${conversationIdOf(place)}`;

/**
 * The core as the buttons' handler sees it, with a reset also closing the thread's
 * agent session: the reset goes through the core first, the session follows.
 */
export function closingSessionsOnReset(core: ConversationCore, sessions: AgentSessions, logger: Logger): ConversationCore {
  return new Proxy(core, {
    get(target, prop) {
      if (prop === 'reset') {
        return async (conversationId: string) => {
          await target.reset(conversationId);
          const place = placeOf(conversationId);
          if (place) await sessions.closed(place, logger.child({ conversation: conversationId }));
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A Slack conversation id (`slack:<team>:<channel>:<thread ts>`) as the thread it names. */
export function placeOf(conversationId: string): Place | undefined {
  const match = /^slack:([A-Z0-9]+):([A-Z0-9]+):(\d+\.\d+)$/.exec(conversationId);
  if (!match) return undefined;
  const [, teamId = '', channel = '', threadTs = ''] = match;
  return { teamId, channel, threadTs };
}
