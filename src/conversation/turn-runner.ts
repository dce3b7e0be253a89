/**
 * What every kind of turn shares, an answer to a new message as much as a
 * regenerated one: Stop and shutdown reaching it, one turn at a time per
 * conversation (a lost lock stops it), what it reads before it starts, the
 * daily token quotas (asked before a question goes upstream, told what its answer
 * cost), the upstream answer streamed into its live message, and how it ended,
 * for metrics.
 */
import type { Logger } from 'pino';
import type { ReasoningDisplay } from '../config.ts';
import type { ModelChoiceStore } from '../history/model-choice.ts';
import type { StoredMessage } from '../history/record.ts';
import type { HistoryStore } from '../history/store.ts';
import type { QuotaRefusal, TokenQuotas } from '../quota/token-quotas.ts';
import { LiveMessage } from '../render/live-message.ts';
import type { WriteScheduler } from '../render/scheduler.ts';
import type { StopBus } from '../store/stop-bus.ts';
import type { MessageRef, Surface } from '../surface.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import type { Usage } from '../upstream/events.ts';
import type { Locale } from '../i18n/locale.ts';
import { userTextIn } from '../user-text.ts';
import { ContextBuilder, type ContextBuilderOptions, type PreparedTurn, type TurnSettings } from './context-builder.ts';
import type { TurnIo } from './core.ts';
import { HistoryWriter, type HistoryWriterOptions } from './history-writer.ts';
import { answeredEnd, failedEnd, type TurnEnd } from './turn-end.ts';
import type { TurnGate } from './turn-gate.ts';
import { TurnStarts } from './turn-starts.ts';
import type { TurnOutcome, TurnRequest } from './types.ts';
import type { UnfinishedTurns } from './unfinished-turns.ts';

/** What goes upstream (system prompt, limits, attachments, personas) is the ContextBuilder's options. */
export interface ConversationServiceOptions extends Omit<ContextBuilderOptions, 'now'> {
  readonly upstream: UpstreamClient;
  readonly history: HistoryStore;
  readonly modelChoice: ModelChoiceStore;
  readonly gate: TurnGate;
  readonly scheduler: WriteScheduler;
  readonly logger: Logger;
  readonly models: readonly string[];
  readonly reasoningDisplay: ReasoningDisplay;
  readonly usageFooter: boolean;
  readonly now?: () => number;
  /** Told how each turn ended, for metrics. */
  readonly onTurnEnd?: (facts: TurnFacts) => void;
  /** Remembers answers in progress so a restart can mark those a crash cut off. */
  readonly unfinished?: UnfinishedTurns;
  /** Passes Stop presses to the instance streaming the answer (several instances on Redis). */
  readonly stopBus?: StopBus | undefined;
  /** How exchanges wait out a store outage (retry pauses, the in-memory queue). */
  readonly historyWriter?: HistoryWriterOptions;
  /** EDIT_FOLLOW_MINUTES: how long after asking an edited question is answered again (default 10 minutes). */
  readonly editFollowMs?: number;
  /** Told about every 👍/👎 recorded, for metrics. */
  readonly onFeedback?: (facts: FeedbackFacts) => void;
  /** Daily token quotas: asked before a question goes upstream, told what each answer cost. */
  readonly quotas?: TokenQuotas;
}

export interface TurnFacts {
  readonly outcome: TurnOutcome;
  /** The platform, from the conversation id's prefix (`discord`, `slack`, `terminal`). */
  readonly platform: string;
  /** The provider's error code when the upstream failed (`api_error`, `invalid_token`, …). */
  readonly errorCode: string | undefined;
  readonly model: string;
  readonly usage: Usage | undefined;
  readonly firstTokenMs: number | undefined;
}

/** A vote recorded: `previous` is the vote of the same person it replaced, if any. */
export interface FeedbackFacts {
  readonly model: string;
  readonly rating: 'up' | 'down';
  readonly previous: 'up' | 'down' | undefined;
}

/** What a turn reads from the store before it starts, so a store outage fails it cleanly. */
export interface LoadedTurn {
  readonly model: string;
  readonly history: StoredMessage[];
  readonly settings: TurnSettings;
}

/** One upstream answer streamed into a live message that is not finished yet. */
export interface StreamedTurn {
  readonly model: string;
  readonly end: TurnEnd;
  readonly usage: Usage | undefined;
  readonly firstTokenMs: number | undefined;
  /** Whether the model wrote any answer text (not only reasoning). */
  readonly wroteText: boolean;
  /** Reasoning and answer characters received, for the token estimate when the provider sent no usage. */
  readonly receivedChars: number;
  readonly prepared: PreparedTurn;
}

/** A turn's lock on its conversation. */
export interface HeldTurn {
  release(): Promise<void>;
}

export class TurnRunner {
  /** A crowd of questions starts one per turn of the event loop, not all in one go. */
  readonly #starts = new TurnStarts();
  readonly #o: ConversationServiceOptions;
  readonly #now: () => number;
  readonly writer: HistoryWriter;
  readonly #context: ContextBuilder;
  readonly #active = new Map<string, AbortController>();
  /** Every turn in progress, waiting or streaming, for a graceful shutdown. */
  readonly #running = new Set<Promise<unknown>>();

  constructor(options: ConversationServiceOptions, now: () => number) {
    this.#o = options;
    this.#now = now;
    this.writer = new HistoryWriter(options.history, options.logger, options.historyWriter);
    this.#context = new ContextBuilder({ ...options, now });
  }

  get activeTurns(): number {
    return this.#active.size;
  }

  /**
   * Runs `work` as turn `turnId`: it gets a signal that a Stop of that turn, a shutdown
   * or the caller's `signal` aborts, and its controller (a lost lock aborts that too).
   * A graceful shutdown waits for it.
   */
  run<T>(turnId: string, signal: AbortSignal | undefined, work: (signal: AbortSignal, controller: AbortController) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const turnSignal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    this.#active.set(turnId, controller);
    const running = (async () => {
      try {
        await this.#starts.next();
        return await work(turnSignal, controller);
      } finally {
        // An edit's regeneration may have taken the turn id over meanwhile: only this run's entry goes.
        if (this.#active.get(turnId) === controller) this.#active.delete(turnId);
      }
    })();
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running)).catch(() => undefined);
    return running;
  }

  /** Aborts `turnId` with `reason` if it runs on this instance. */
  abort(turnId: string, reason: Error): boolean {
    const controller = this.#active.get(turnId);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  /**
   * Shutdown: lets turns in progress finish for up to `graceMs`, then stops
   * the rest; each ends with a visible "interrupted" marker and is stored.
   */
  async drain(graceMs: number): Promise<void> {
    const all = () => Promise.allSettled([...this.#running]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([all(), deadline]);
    clearTimeout(timer);
    for (const controller of this.#active.values()) controller.abort(new Error('shutting down'));
    await all();
    const lost = await this.writer.flushAll();
    if (lost > 0) this.#o.logger.error({ exchanges: lost }, 'store unavailable at shutdown: kept turns are lost');
  }

  /**
   * The live message a turn writes through, in `locale` (its thinking status), tracked for crash
   * recovery; `existing`: the messages a regeneration writes into.
   */
  liveMessage(
    turnId: string,
    surface: Surface,
    signal: AbortSignal,
    log: Logger,
    locale: Locale,
    existing?: readonly MessageRef[],
  ): { live: LiveMessage; done: () => Promise<void> } {
    const tracked = this.#o.unfinished?.track(turnId, surface, locale);
    const live = new LiveMessage({
      surface: tracked?.surface ?? surface,
      scheduler: this.#o.scheduler,
      reasoningDisplay: this.#o.reasoningDisplay,
      locale,
      signal,
      log: (level, fields, msg) => log[level](fields, msg),
      ...(existing ? { existing } : {}),
    });
    return { live, done: async () => tracked?.done() };
  }

  /**
   * Waits for the conversation's turn; `busy` when too many wait. A lock lost while held
   * aborts `controller`, like a Stop: another instance may answer there by now. Rejects
   * when the lock store fails, or with the signal's reason when the wait is aborted.
   */
  async enter(conversationId: string, controller: AbortController, signal: AbortSignal, log: Logger): Promise<HeldTurn | 'busy'> {
    const lock = await this.#o.gate.enter(conversationId, signal);
    if (lock === 'busy') return 'busy';
    const onLost = () => controller.abort(lock.signal.reason);
    lock.signal.addEventListener('abort', onLost, { once: true });
    if (lock.signal.aborted) onLost();
    return {
      release: async () => {
        lock.signal.removeEventListener('abort', onLost);
        await lock.release().catch((error: unknown) => log.warn({ err: error }, 'turn lock release failed'));
      },
    };
  }

  /** The model, history and settings of a turn. Rejects with the store's error. */
  async load(request: Pick<TurnRequest, 'conversationId' | 'channelId' | 'model' | 'place'>, log: Logger): Promise<LoadedTurn> {
    const model = request.model ?? (await this.#o.modelChoice.resolve(request.conversationId, request.channelId));
    // Questions kept while the store was down go in first, so this turn reads them.
    await this.writer.flush(request.conversationId);
    const loaded = await this.#o.history.load(request.conversationId);
    if (loaded.unreadable > 0) log.warn({ unreadable: loaded.unreadable }, 'history entries could not be read');
    const settings = await this.#context.settings(request);
    return { model, history: loaded.messages, settings };
  }

  /**
   * The daily quota (the asker's, the channel's, the workspace's) this turn's asker has
   * reached, if any: its question must not go upstream. Rejects with the store's error.
   */
  async overQuota(request: TurnRequest, log: Logger): Promise<QuotaRefusal | undefined> {
    const refusal = await this.#o.quotas?.check(request);
    if (refusal) log.info({ scope: refusal.scope, used: refusal.used, limit: refusal.limit }, 'daily token quota reached; question not sent');
    return refusal;
  }

  /**
   * Counts what a streamed answer cost against its asker's quotas. Called once the answer is
   * out, whatever the limits: a quota never cuts an answer already streaming. Never throws.
   */
  async count(request: TurnRequest, streamed: StreamedTurn, log: Logger): Promise<void> {
    await this.#o.quotas
      ?.record(request, { model: streamed.model, usage: streamed.usage, sent: streamed.prepared.messages, receivedChars: streamed.receivedChars })
      .catch((error: unknown) => log.warn({ err: error }, 'could not count the tokens of an answer'));
  }

  /** Sends the turn upstream and streams the answer into `live`, without finishing it. Never throws. */
  async stream(
    request: TurnRequest,
    loaded: LoadedTurn,
    io: TurnIo,
    live: LiveMessage,
    signal: AbortSignal,
    log: Logger,
  ): Promise<StreamedTurn> {
    const startedAt = this.#now();
    const { model } = loaded;
    const prepared = await this.#context.prepare(request, loaded.history, loaded.settings, {
      resolver: io.attachments,
      signal,
      log,
      notice: (n) => live.addNotice(n),
    });
    io.surface.showTyping?.(signal).catch((error: unknown) => log.debug({ err: error }, 'typing indicator failed'));

    let finishReason: string | undefined;
    let usage: Usage | undefined;
    let firstTokenMs: number | undefined;
    let wroteText = false;
    let receivedChars = 0;
    let end: TurnEnd;
    const texts = userTextIn(request.locale ?? 'en');
    try {
      for await (const event of this.#o.upstream.stream({ model, messages: prepared.messages }, signal)) {
        firstTokenMs ??= this.#now() - startedAt;
        if (event.type === 'finish') finishReason = event.reason;
        if (event.type === 'usage') usage = event.usage;
        if (event.type === 'text' && event.text.trim() !== '') wroteText = true;
        if (event.type === 'text' || event.type === 'reasoning') receivedChars += event.text.length;
        live.push(event);
      }
      end = answeredEnd(finishReason ?? 'stop', wroteText, texts);
    } catch (error) {
      end = failedEnd(error, signal, model, log, texts);
    }
    return { model, end, usage, firstTokenMs, wroteText, receivedChars, prepared };
  }

  /** The usage line under an answer (USAGE_FOOTER), if wanted and known, in `locale`. */
  footer(model: string, usage: Usage | undefined, locale: Locale | undefined): string | undefined {
    return this.#o.usageFooter && usage ? userTextIn(locale ?? 'en').usageFooter(model, usage) : undefined;
  }

  /** Tells `onTurnEnd` how the turn ended and returns the outcome. */
  ended(conversationId: string, outcome: TurnOutcome, facts: Partial<Omit<TurnFacts, 'outcome' | 'platform'>> = {}): TurnOutcome {
    this.#o.onTurnEnd?.({
      outcome,
      platform: conversationId.split(':')[0] ?? 'unknown',
      model: facts.model ?? '',
      usage: facts.usage,
      firstTokenMs: facts.firstTokenMs,
      errorCode: facts.errorCode,
    });
    return outcome;
  }
}
