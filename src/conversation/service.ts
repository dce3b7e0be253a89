/**
 * The conversation core: answers one user message at a time per conversation,
 * streaming the upstream answer through the live-message renderer into the
 * adapter's Surface, and keeps history truthful about what the user saw.
 */
import type { Logger } from 'pino';
import type { ReasoningDisplay } from '../config.ts';
import type { ModelChoiceStore } from '../history/model-choice.ts';
import type { StoredMessage } from '../history/record.ts';
import type { HistoryStore } from '../history/store.ts';
import type { TokenQuotas } from '../quota/token-quotas.ts';
import { LiveMessage } from '../render/live-message.ts';
import type { WriteScheduler } from '../render/scheduler.ts';
import type { StopBus } from '../store/stop-bus.ts';
import { StoreError } from '../store/store-error.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import type { Usage } from '../upstream/events.ts';
import { userText } from '../user-text.ts';
import { ContextBuilder, type ContextBuilderOptions, type TurnSettings } from './context-builder.ts';
import type { ConversationCore, ModelChange, ModelTarget, PersonaChange, TurnIo } from './core.ts';
import { answeredExchange, unansweredExchange } from './exchange.ts';
import { HistoryWriter, type HistoryWriterOptions } from './history-writer.ts';
import { answeredEnd, failedEnd, StoppedByUser, stopNote, type TurnEnd } from './turn-end.ts';
import type { TurnGate } from './turn-gate.ts';
import type { UnfinishedTurns } from './unfinished-turns.ts';
import type { TurnOutcome, TurnRequest, UnansweredReason } from './types.ts';

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

export class ConversationService implements ConversationCore {
  readonly models: readonly string[];
  readonly #o: ConversationServiceOptions;
  readonly #now: () => number;
  readonly #writer: HistoryWriter;
  readonly #context: ContextBuilder;
  readonly #active = new Map<string, AbortController>();
  /** Every answer in progress, waiting or streaming, for a graceful shutdown. */
  readonly #running = new Set<Promise<TurnOutcome>>();

  constructor(options: ConversationServiceOptions) {
    this.#o = options;
    this.models = options.models;
    this.#now = options.now ?? Date.now;
    this.#writer = new HistoryWriter(options.history, options.logger, options.historyWriter);
    this.#context = new ContextBuilder({ ...options, now: this.#now });
    options.stopBus?.onStop((turnId) => this.stopHere(turnId));
  }

  /**
   * Stops `turnId` if this instance is streaming it (true). Otherwise the press is
   * passed to the other instances (several on one Redis), and false is returned.
   */
  stop(turnId: string): boolean {
    if (this.stopHere(turnId)) return true;
    this.#o.stopBus?.publish(turnId).catch((error: unknown) => this.#o.logger.warn({ err: error, turn: turnId }, 'could not pass a stop on'));
    return false;
  }

  /** Stops `turnId` if it streams on this instance; for stops passed on by other instances. */
  stopHere(turnId: string): boolean {
    const controller = this.#active.get(turnId);
    if (!controller) return false;
    controller.abort(new StoppedByUser('stopped by the user'));
    return true;
  }

  /**
   * Shutdown: lets answers in progress finish for up to `graceMs`, then stops
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
    const lost = await this.#writer.flushAll();
    if (lost > 0) this.#o.logger.error({ exchanges: lost }, 'store unavailable at shutdown: kept turns are lost');
  }

  /** Exchanges kept in memory until the store answers again. */
  get pendingExchanges(): number {
    return this.#writer.pending;
  }

  async storeUnanswered(request: TurnRequest, reason: UnansweredReason): Promise<void> {
    await this.#keepUnanswered(request, reason, this.#now());
  }

  get activeTurns(): number {
    return this.#active.size;
  }

  async hasHistory(conversationId: string): Promise<boolean> {
    return this.#o.history.has(conversationId);
  }

  async reset(conversationId: string): Promise<void> {
    await this.#o.history.clear(conversationId);
    await this.#o.horizons?.set(conversationId, this.#now());
  }

  async modelFor(conversationId: string, channelId: string): Promise<string> {
    return this.#o.modelChoice.resolve(conversationId, channelId);
  }

  async setModel(target: ModelTarget, model: string): Promise<ModelChange> {
    const name = model.trim();
    if (!this.models.includes(name)) return { ok: false, userText: userText.unknownModel(name, this.models) };
    if ('conversationId' in target) await this.#o.modelChoice.setForConversation(target.conversationId, name);
    else await this.#o.modelChoice.setForChannel(target.channelId, name);
    return { ok: true, model: name };
  }

  async personaFor(conversationId: string, channelId: string): Promise<string | undefined> {
    return this.#o.personas?.resolve(conversationId, channelId);
  }

  async setPersona(target: ModelTarget, text: string): Promise<PersonaChange> {
    return this.#o.personas ? this.#o.personas.set(target, text) : { ok: false, userText: userText.internalError };
  }

  async clearPersona(target: ModelTarget): Promise<void> {
    await this.#o.personas?.clear(target);
  }

  answer(request: TurnRequest, io: TurnIo, signal?: AbortSignal): Promise<TurnOutcome> {
    const running = this.#answer(request, io, signal);
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running)).catch(() => undefined);
    return running;
  }

  async #answer(request: TurnRequest, io: TurnIo, signal?: AbortSignal): Promise<TurnOutcome> {
    const log = this.#o.logger.child({ conversation: request.conversationId, turn: request.turnId });
    // When the question was asked: history orders exchanges by it, whenever they are stored.
    const askedAt = this.#now();
    const controller = new AbortController();
    const turnSignal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    const tracked = this.#o.unfinished?.track(request.turnId, io.surface);
    const live = new LiveMessage({
      surface: tracked?.surface ?? io.surface,
      scheduler: this.#o.scheduler,
      reasoningDisplay: this.#o.reasoningDisplay,
      signal: turnSignal,
      log: (level, fields, msg) => log[level](fields, msg),
    });

    this.#active.set(request.turnId, controller);
    try {
      if (request.model !== undefined && !this.models.includes(request.model)) {
        await live.finish({ note: userText.unknownModel(request.model, this.models) });
        return this.#ended(request, { type: 'failed', kind: 'unknown-model' }, { model: request.model });
      }
      let lock;
      try {
        lock = await this.#o.gate.enter(request.conversationId, turnSignal);
      } catch (error) {
        if (turnSignal.aborted) {
          await live.finish({ note: stopNote(turnSignal) });
          return this.#ended(request, { type: 'stopped' });
        }
        return await this.#failBeforeStart(request, askedAt, error, live, log);
      }
      if (lock === 'busy') {
        await live.finish({ note: userText.busy });
        await this.#keepUnanswered(request, 'busy', askedAt, log);
        return this.#ended(request, { type: 'busy' });
      }
      // A lock lost mid-turn (its renewals failed past its ttl) stops the turn like a Stop:
      // another instance may be answering in this conversation by now.
      const held = lock;
      const onLost = () => controller.abort(held.signal.reason);
      held.signal.addEventListener('abort', onLost, { once: true });
      if (held.signal.aborted) onLost();
      try {
        return await this.#run(request, askedAt, io, live, turnSignal, log);
      } finally {
        held.signal.removeEventListener('abort', onLost);
        await held.release().catch((error: unknown) => log.warn({ err: error }, 'turn lock release failed'));
      }
    } finally {
      this.#active.delete(request.turnId);
      await tracked?.done();
    }
  }

  async #run(request: TurnRequest, askedAt: number, io: TurnIo, live: LiveMessage, signal: AbortSignal, log: Logger): Promise<TurnOutcome> {
    const startedAt = this.#now();
    let model = request.model ?? '';
    let history: StoredMessage[];
    let settings: TurnSettings;
    try {
      model = request.model ?? (await this.modelFor(request.conversationId, request.channelId));
      const refusal = await this.#o.quotas?.check(request);
      if (refusal) {
        log.info({ scope: refusal.scope, used: refusal.used, limit: refusal.limit }, 'daily token quota reached; question not sent');
        await live.finish({ note: refusal.userText });
        await this.#keepUnanswered(request, 'quota', askedAt, log);
        return this.#ended(request, { type: 'over-quota', scope: refusal.scope }, { model });
      }
      // Questions kept while the store was down go in first, so this turn reads them.
      await this.#writer.flush(request.conversationId);
      const loaded = await this.#o.history.load(request.conversationId);
      if (loaded.unreadable > 0) log.warn({ unreadable: loaded.unreadable }, 'history entries could not be read');
      history = loaded.messages;
      settings = await this.#context.settings(request);
    } catch (error) {
      return this.#failBeforeStart(request, askedAt, error, live, log);
    }

    const prepared = await this.#context.prepare(request, history, settings, { resolver: io.attachments, signal, log, notice: (n) => live.addNotice(n) });
    const { messages } = prepared;

    io.surface.showTyping?.(signal).catch((error: unknown) => log.debug({ err: error }, 'typing indicator failed'));

    let finishReason: string | undefined;
    let usage: Usage | undefined;
    let firstTokenMs: number | undefined;
    let wroteText = false;
    let receivedChars = 0;
    let end: TurnEnd;
    try {
      for await (const event of this.#o.upstream.stream({ model, messages }, signal)) {
        firstTokenMs ??= this.#now() - startedAt;
        if (event.type === 'finish') finishReason = event.reason;
        if (event.type === 'usage') usage = event.usage;
        if (event.type === 'text' && event.text.trim() !== '') wroteText = true;
        if (event.type === 'text' || event.type === 'reasoning') receivedChars += event.text.length;
        live.push(event);
      }
      end = answeredEnd(finishReason ?? 'stop', wroteText);
    } catch (error) {
      end = failedEnd(error, signal, model, log);
    }

    const footer = this.#o.usageFooter && usage ? userText.usageFooter(model, usage) : undefined;
    const shown = await live.finish({ note: end.note, footer });
    // Counted once the answer is out, whatever the limits: a quota never cuts an answer already streaming.
    await this.#o.quotas
      ?.record(request, { model, usage, sent: messages, receivedChars })
      .catch((error: unknown) => log.warn({ err: error }, 'could not count the tokens of an answer'));
    const exchange = [
      ...prepared.readIn,
      ...answeredExchange(request, askedAt, prepared.attachments, {
        model,
        text: shown.shownText,
        status: end.status,
        at: this.#now(),
      }),
    ];
    // The turn still holds its conversation while this retries, so the next turn reads the exchange.
    await this.#writer.store(request.conversationId, exchange, log, { retry: true });
    // The platform would not show the answer (a missing permission, a deleted thread): the adapter may say so elsewhere.
    const outcome: TurnOutcome = shown.undelivered ? { type: 'failed', kind: `platform-${shown.undelivered}` } : end.outcome;
    return this.#ended(request, outcome, { model, usage, firstTokenMs, errorCode: end.errorCode });
  }

  async #failBeforeStart(request: TurnRequest, askedAt: number, error: unknown, live: LiveMessage, log: Logger): Promise<TurnOutcome> {
    if (error instanceof StoreError) {
      log.error({ err: error, operation: error.operation }, 'store unavailable');
      await live.finish({ note: userText.storeUnavailable });
      await this.#keepUnanswered(request, 'store-unavailable', askedAt, log);
      return this.#ended(request, { type: 'failed', kind: 'store' });
    }
    log.error({ err: error }, 'turn could not start');
    await live.finish({ note: userText.internalError });
    return this.#ended(request, { type: 'failed', kind: 'internal' });
  }

  /** The question, marked not answered, into history; into the in-memory queue while the store is down. */
  async #keepUnanswered(request: TurnRequest, reason: UnansweredReason, askedAt: number, log?: Logger): Promise<void> {
    const turnLog = log ?? this.#o.logger.child({ conversation: request.conversationId, turn: request.turnId });
    await this.#writer.store(request.conversationId, unansweredExchange(request, reason, askedAt), turnLog, { retry: false });
  }

  #ended(request: TurnRequest, outcome: TurnOutcome, facts: Partial<Omit<TurnFacts, 'outcome' | 'platform'>> = {}): TurnOutcome {
    this.#o.onTurnEnd?.({
      outcome,
      platform: request.conversationId.split(':')[0] ?? 'unknown',
      model: facts.model ?? '',
      usage: facts.usage,
      firstTokenMs: facts.firstTokenMs,
      errorCode: facts.errorCode,
    });
    return outcome;
  }
}
