/**
 * The conversation core: answers one user message at a time per conversation,
 * streaming the upstream answer through the live-message renderer into the
 * adapter's Surface, and keeps history truthful about what the user saw.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { checkAttachment } from '../attachments/policy.ts';
import type { ReasoningDisplay } from '../config.ts';
import type { ModelChoiceStore } from '../history/model-choice.ts';
import type { AnswerStatus, StoredMessage } from '../history/record.ts';
import type { HistoryStore } from '../history/store.ts';
import { LiveMessage } from '../render/live-message.ts';
import type { WriteScheduler } from '../render/scheduler.ts';
import { StoreError } from '../store/store-error.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { UpstreamError } from '../upstream/errors.ts';
import type { Usage } from '../upstream/events.ts';
import { upstreamErrorText, userText } from '../user-text.ts';
import { buildMessages, selectHistory, userMessagesWithMedia, type ContextLimits, type ResolvedUserMessage } from './context.ts';
import type { ConversationCore, ModelChange, ModelTarget, TurnIo } from './core.ts';
import type { TurnGate } from './turn-gate.ts';
import type { UnfinishedTurns } from './unfinished-turns.ts';
import type { AttachmentRef, TurnOutcome, TurnRequest } from './types.ts';

export interface ConversationServiceOptions {
  readonly upstream: UpstreamClient;
  readonly history: HistoryStore;
  readonly modelChoice: ModelChoiceStore;
  readonly gate: TurnGate;
  readonly scheduler: WriteScheduler;
  readonly logger: Logger;
  readonly models: readonly string[];
  readonly systemPrompt: string;
  readonly limits: ContextLimits;
  readonly attachmentMaxBytes: number;
  readonly reasoningDisplay: ReasoningDisplay;
  readonly usageFooter: boolean;
  readonly now?: () => number;
  /** Told how each turn ended, for metrics. */
  readonly onTurnEnd?: (facts: TurnFacts) => void;
  /** Remembers answers in progress so a restart can mark those a crash cut off. */
  readonly unfinished?: UnfinishedTurns;
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

/** Retries of a finished exchange's append while the store is unavailable (0.5 s doubling: 15.5 s in all). */
const STORE_RETRIES = 5;
const STORE_RETRY_BASE_MS = 500;

/** The reason a turn's controller was aborted by `stop()`. */
class StoppedByUser extends Error {
  override name = 'StoppedByUser';
}

/** What a stopped turn says: stopped by its user, or interrupted by a shutdown. */
const stopNote = (signal: AbortSignal) => (signal.reason instanceof StoppedByUser ? userText.stopped : userText.interruptedByShutdown);

export class ConversationService implements ConversationCore {
  readonly models: readonly string[];
  readonly #o: ConversationServiceOptions;
  readonly #now: () => number;
  readonly #active = new Map<string, AbortController>();
  /** Every answer in progress, waiting or streaming, for a graceful shutdown. */
  readonly #running = new Set<Promise<TurnOutcome>>();

  constructor(options: ConversationServiceOptions) {
    this.#o = options;
    this.models = options.models;
    this.#now = options.now ?? Date.now;
  }

  stop(turnId: string): boolean {
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
  }

  get activeTurns(): number {
    return this.#active.size;
  }

  async hasHistory(conversationId: string): Promise<boolean> {
    return this.#o.history.has(conversationId);
  }

  async reset(conversationId: string): Promise<void> {
    await this.#o.history.clear(conversationId);
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

  answer(request: TurnRequest, io: TurnIo, signal?: AbortSignal): Promise<TurnOutcome> {
    const running = this.#answer(request, io, signal);
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running)).catch(() => undefined);
    return running;
  }

  async #answer(request: TurnRequest, io: TurnIo, signal?: AbortSignal): Promise<TurnOutcome> {
    const log = this.#o.logger.child({ conversation: request.conversationId, turn: request.turnId });
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
        return await this.#failBeforeStart(request, error, live, log);
      }
      if (lock === 'busy') {
        await live.finish({ note: userText.busy });
        return this.#ended(request, { type: 'busy' });
      }
      try {
        return await this.#run(request, io, live, turnSignal, log);
      } finally {
        await lock.release().catch((error: unknown) => log.warn({ err: error }, 'turn lock release failed'));
      }
    } finally {
      this.#active.delete(request.turnId);
      await tracked?.done();
    }
  }

  async #run(request: TurnRequest, io: TurnIo, live: LiveMessage, signal: AbortSignal, log: Logger): Promise<TurnOutcome> {
    const startedAt = this.#now();
    let model = request.model ?? '';
    let history: StoredMessage[];
    try {
      model = request.model ?? (await this.modelFor(request.conversationId, request.channelId));
      const loaded = await this.#o.history.load(request.conversationId);
      if (loaded.unreadable > 0) log.warn({ unreadable: loaded.unreadable }, 'history entries could not be read');
      history = loaded.messages;
    } catch (error) {
      return this.#failBeforeStart(request, error, live, log);
    }

    const current = await this.#resolveCurrent(request, io, live, signal, log);
    const selected = selectHistory(history, this.#o.limits);
    const withMedia = userMessagesWithMedia(selected, this.#o.limits.mediaTurns);
    const resolvedHistory = await Promise.all(
      selected.map(async (m) =>
        m.role === 'user' && withMedia.has(m) ? { ...m, resolved: await this.#resolveEarlier(m.text, m.attachments, io, signal, log) } : m,
      ),
    );
    const messages = buildMessages(this.#o.systemPrompt, resolvedHistory, current);

    io.surface.showTyping?.(signal).catch((error: unknown) => log.debug({ err: error }, 'typing indicator failed'));

    let finishReason: string | undefined;
    let usage: Usage | undefined;
    let firstTokenMs: number | undefined;
    let wroteText = false;
    let errorCode: string | undefined;
    let note: string | undefined;
    let status: AnswerStatus = 'complete';
    let outcome: TurnOutcome;
    try {
      for await (const event of this.#o.upstream.stream({ model, messages }, signal)) {
        firstTokenMs ??= this.#now() - startedAt;
        if (event.type === 'finish') finishReason = event.reason;
        if (event.type === 'usage') usage = event.usage;
        if (event.type === 'text' && event.text.trim() !== '') wroteText = true;
        live.push(event);
      }
      finishReason ??= 'stop';
      if (finishReason === 'length') {
        note = userText.cutAtLength;
        status = 'cut';
      } else if (finishReason !== 'stop') {
        note = userText.finishedEarly(finishReason);
        status = 'cut';
      } else if (!wroteText) {
        note = userText.emptyAnswer;
      }
      outcome = { type: 'answered', finishReason };
    } catch (error) {
      if (signal.aborted) {
        note = stopNote(signal);
        status = signal.reason instanceof StoppedByUser ? 'stopped' : 'interrupted';
        outcome = { type: 'stopped' };
      } else if (error instanceof UpstreamError) {
        log.warn({ err: error, kind: error.kind, status: error.status, code: error.code, traceId: error.traceId, model }, 'upstream failed');
        note = upstreamErrorText(error.kind, { model, traceId: error.traceId, detail: error.detail });
        errorCode = error.code;
        status = 'failed';
        outcome = { type: 'failed', kind: error.kind };
      } else {
        log.error({ err: error }, 'turn failed');
        note = userText.internalError;
        status = 'failed';
        outcome = { type: 'failed', kind: 'internal' };
      }
    }

    const footer = this.#o.usageFooter && usage ? userText.usageFooter(model, usage) : undefined;
    const shown = await live.finish({ note, footer });
    const at = this.#now();
    await this.#store(
      request.conversationId,
      [
        {
          role: 'user',
          turnId: request.turnId,
          authorId: request.author.id,
          authorName: request.author.name,
          text: request.text,
          attachments: current.media.map((m) => m.attachment),
          at,
        },
        { role: 'assistant', turnId: request.turnId, model, text: shown.shownText, status, at },
      ],
      log,
    );
    return this.#ended(request, outcome, { model, usage, firstTokenMs, errorCode });
  }

  /**
   * Appends a finished exchange. The user has already seen the answer, so a store
   * that is briefly down (a Redis restart) is waited out, still holding the turn,
   * rather than losing the exchange from history: retried after 0.5, 1, 2, 4 and
   * 8 s, then given up with an error log. Other failures are not retried.
   */
  async #store(conversationId: string, exchange: StoredMessage[], log: Logger): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        // A write whose reply timed out may have landed: never store the exchange twice.
        const turnId = exchange[0]?.turnId;
        if (attempt > 0 && (await this.#o.history.load(conversationId)).messages.some((m) => m.role === 'assistant' && m.turnId === turnId)) return;
        await this.#o.history.append(conversationId, ...exchange);
        if (attempt > 0) log.info({ attempts: attempt + 1 }, 'stored the turn once the store was back');
        return;
      } catch (error) {
        if (!(error instanceof StoreError && error.kind === 'unavailable') || attempt >= STORE_RETRIES) {
          log.error({ err: error }, 'could not store the turn');
          return;
        }
        log.warn({ err: error, attempt: attempt + 1 }, 'store unavailable, retrying to store the turn');
        await delay(STORE_RETRY_BASE_MS * 2 ** attempt);
      }
    }
  }

  /** The new message's attachments: checked, then resolved; what fails becomes a notice, the text still goes. */
  async #resolveCurrent(request: TurnRequest, io: TurnIo, live: LiveMessage, signal: AbortSignal, log: Logger): Promise<ResolvedUserMessage> {
    const media: { attachment: AttachmentRef; url: string }[] = [];
    for (const attachment of request.attachments) {
      const verdict = checkAttachment(attachment, this.#o.attachmentMaxBytes);
      if (!verdict.ok) {
        live.addNotice(userText.attachmentSkipped(attachment.name, verdict.reason));
        continue;
      }
      try {
        media.push({ attachment, url: await io.attachments.resolve(attachment, signal) });
      } catch (error) {
        log.warn({ err: error, attachment: attachment.name }, 'attachment could not be resolved');
        const reason = error instanceof Error && 'userReason' in error ? String(error.userReason) : userText.attachmentUnreachable;
        live.addNotice(userText.attachmentSkipped(attachment.name, reason));
      }
    }
    return { text: request.text, media };
  }

  /** An earlier message's media, fetched again; what no longer resolves is named in text instead. */
  async #resolveEarlier(
    text: string,
    attachments: readonly AttachmentRef[],
    io: TurnIo,
    signal: AbortSignal,
    log: Logger,
  ): Promise<ResolvedUserMessage> {
    const media: { attachment: AttachmentRef; url: string }[] = [];
    for (const attachment of attachments) {
      try {
        media.push({ attachment, url: await io.attachments.resolve(attachment, signal) });
      } catch (error) {
        log.debug({ err: error, attachment: attachment.name }, 'earlier attachment no longer resolves');
      }
    }
    return { text, media };
  }

  async #failBeforeStart(request: TurnRequest, error: unknown, live: LiveMessage, log: Logger): Promise<TurnOutcome> {
    if (error instanceof StoreError) {
      log.error({ err: error, operation: error.operation }, 'store unavailable');
      await live.finish({ note: userText.storeUnavailable });
      return this.#ended(request, { type: 'failed', kind: 'store' });
    }
    log.error({ err: error }, 'turn could not start');
    await live.finish({ note: userText.internalError });
    return this.#ended(request, { type: 'failed', kind: 'internal' });
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
