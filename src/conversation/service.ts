/**
 * The conversation core: answers one user message at a time per conversation,
 * streaming the upstream answer through the live-message renderer into the
 * adapter's Surface, and keeps history truthful about what the user saw. What
 * every turn shares is the TurnRunner's; writing an answer again, Regenerate's.
 */
import type { Logger } from 'pino';
import { StoreError } from '../store/store-error.ts';
import type { Locale } from '../i18n/locale.ts';
import { PERSONA_MAX_CHARS } from '../history/persona-store.ts';
import { userTextIn } from '../user-text.ts';
import type { ConversationCore, ModelChange, ModelTarget, PersonaChange, TurnIo } from './core.ts';
import { answeredExchange, unansweredExchange } from './exchange.ts';
import { Regenerator } from './regenerate.ts';
import { StoppedByUser, stopNote } from './turn-end.ts';
import { TurnRunner, type ConversationServiceOptions } from './turn-runner.ts';
import type { LiveMessage } from '../render/live-message.ts';
import type {
  EditedQuestion,
  RegenerateOutcome,
  RegenerateRequest,
  TurnOutcome,
  TurnRequest,
  UnansweredReason,
  Vote,
  VoteOutcome,
} from './types.ts';

export type { ConversationServiceOptions, FeedbackFacts, TurnFacts } from './turn-runner.ts';

export class ConversationService implements ConversationCore {
  readonly models: readonly string[];
  readonly #o: ConversationServiceOptions;
  readonly #now: () => number;
  readonly #runner: TurnRunner;
  readonly #regenerator: Regenerator;
  /** The questions whose first answer streams on this instance, by turn: an edit may come before they are stored. */
  readonly #asking = new Map<string, string>();

  constructor(options: ConversationServiceOptions) {
    this.#o = options;
    this.models = options.models;
    this.#now = options.now ?? Date.now;
    this.#runner = new TurnRunner(options, this.#now);
    this.#regenerator = new Regenerator(this.#runner, options, {
      now: this.#now,
      inFlight: { textOf: (turnId) => this.#asking.get(turnId) },
      stop: (turnId) => this.stop(turnId),
    });
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
    return this.#runner.abort(turnId, new StoppedByUser('stopped by the user'));
  }

  /**
   * Shutdown: lets answers in progress finish for up to `graceMs`, then stops
   * the rest; each ends with a visible "interrupted" marker and is stored.
   */
  drain(graceMs: number): Promise<void> {
    return this.#runner.drain(graceMs);
  }

  /** Exchanges kept in memory until the store answers again. */
  get pendingExchanges(): number {
    return this.#runner.writer.pending;
  }

  async storeUnanswered(request: TurnRequest, reason: UnansweredReason): Promise<void> {
    await this.#keepUnanswered(request, reason, this.#now());
  }

  get activeTurns(): number {
    return this.#runner.activeTurns;
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

  async setModel(target: ModelTarget, model: string, locale: Locale): Promise<ModelChange> {
    const name = model.trim();
    if (!this.models.includes(name)) return { ok: false, userText: userTextIn(locale).unknownModel(name, this.models) };
    if ('conversationId' in target) await this.#o.modelChoice.setForConversation(target.conversationId, name);
    else await this.#o.modelChoice.setForChannel(target.channelId, name);
    return { ok: true, model: name };
  }

  async personaFor(conversationId: string, channelId: string): Promise<string | undefined> {
    return this.#o.personas?.resolve(conversationId, channelId);
  }

  async setPersona(target: ModelTarget, text: string, locale: Locale): Promise<PersonaChange> {
    const texts = userTextIn(locale);
    const stored = this.#o.personas ? await this.#o.personas.set(target, text) : undefined;
    if (!stored) return { ok: false, userText: texts.internalError };
    if (stored.ok) return stored;
    return { ok: false, userText: stored.problem === 'empty' ? texts.personaEmpty : texts.personaTooLong(stored.length, PERSONA_MAX_CHARS) };
  }

  async clearPersona(target: ModelTarget): Promise<void> {
    await this.#o.personas?.clear(target);
  }

  regenerate(request: RegenerateRequest, io: TurnIo, signal?: AbortSignal): Promise<RegenerateOutcome> {
    return this.#regenerator.regenerate(request, io, signal);
  }

  followEdit(edit: EditedQuestion, io: TurnIo, signal?: AbortSignal): Promise<RegenerateOutcome> {
    return this.#regenerator.followEdit(edit, io, signal);
  }

  async rate(vote: Vote): Promise<VoteOutcome> {
    const log = this.#o.logger.child({ conversation: vote.conversationId, turn: vote.turnId });
    try {
      const change = await this.#o.history.rate(vote.conversationId, vote.turnId, vote.userId, vote.rating);
      if (!change) return { type: 'unknown' };
      if (change.previous === vote.rating) return { type: 'recorded', change: 'same' };
      this.#o.onFeedback?.({ model: change.model, rating: vote.rating, previous: change.previous });
      log.info({ rating: vote.rating, previous: change.previous, model: change.model }, 'answer rated');
      return { type: 'recorded', change: change.previous ? 'changed' : 'new' };
    } catch (error) {
      log.error({ err: error }, error instanceof StoreError ? 'store unavailable' : 'could not record a rating');
      return { type: 'store-unavailable' };
    }
  }

  answer(request: TurnRequest, io: TurnIo, signal?: AbortSignal): Promise<TurnOutcome> {
    return this.#runner.run(request.turnId, signal, async (turnSignal, controller) => {
      this.#asking.set(request.turnId, request.text);
      try {
        return await this.#answer(request, io, turnSignal, controller);
      } finally {
        this.#asking.delete(request.turnId);
      }
    });
  }

  async #answer(request: TurnRequest, io: TurnIo, signal: AbortSignal, controller: AbortController): Promise<TurnOutcome> {
    const log = this.#o.logger.child({ conversation: request.conversationId, turn: request.turnId });
    // When the question was asked: history orders exchanges by it, whenever they are stored.
    const askedAt = this.#now();
    const texts = userTextIn(request.locale ?? 'en');
    const { live, done } = this.#runner.liveMessage(request.turnId, io.surface, signal, log, texts.locale);
    try {
      if (request.model !== undefined && !this.models.includes(request.model)) {
        await live.finish({ note: texts.unknownModel(request.model, this.models) });
        return this.#runner.ended(request.conversationId, { type: 'failed', kind: 'unknown-model' }, { model: request.model });
      }
      let held;
      try {
        held = await this.#runner.enter(request.conversationId, controller, signal, log);
      } catch (error) {
        if (signal.aborted) {
          await live.finish({ note: stopNote(signal, texts) });
          return this.#runner.ended(request.conversationId, { type: 'stopped' });
        }
        return await this.#failBeforeStart(request, askedAt, error, live, log);
      }
      if (held === 'busy') {
        const shown = await live.finish({ note: texts.busy });
        await this.#keepUnanswered(request, 'busy', askedAt, log, shown.refs);
        return this.#runner.ended(request.conversationId, { type: 'busy' });
      }
      try {
        return await this.#run(request, askedAt, io, live, signal, log);
      } finally {
        await held.release();
      }
    } finally {
      await done();
    }
  }

  async #run(request: TurnRequest, askedAt: number, io: TurnIo, live: LiveMessage, signal: AbortSignal, log: Logger): Promise<TurnOutcome> {
    let loaded;
    let refusal;
    try {
      loaded = await this.#runner.load(request, log);
      refusal = await this.#runner.overQuota(request, log);
    } catch (error) {
      return this.#failBeforeStart(request, askedAt, error, live, log);
    }
    if (refusal) {
      const shown = await live.finish({ note: refusal.userText });
      await this.#keepUnanswered(request, 'quota', askedAt, log, shown.refs);
      return this.#runner.ended(request.conversationId, { type: 'over-quota', scope: refusal.scope }, { model: loaded.model });
    }
    const streamed = await this.#runner.stream(request, loaded, io, live, signal, log);
    const { model, end, usage, firstTokenMs, prepared } = streamed;
    const shown = await live.finish({ note: end.note, footer: this.#runner.footer(model, usage, request.locale) });
    await this.#runner.count(request, streamed, log);
    const exchange = [
      ...prepared.readIn,
      ...answeredExchange(request, askedAt, prepared.attachments, {
        model,
        text: shown.shownText,
        status: end.status,
        at: this.#now(),
        shownIn: shown.refs.map((ref) => ref.id),
      }),
    ];
    // The turn still holds its conversation while this retries, so the next turn reads the exchange.
    await this.#runner.writer.store(request.conversationId, exchange, log, { retry: true });
    // The platform would not show the answer (a missing permission, a deleted thread): the adapter may say so elsewhere.
    const outcome: TurnOutcome = shown.undelivered ? { type: 'failed', kind: `platform-${shown.undelivered}` } : end.outcome;
    return this.#runner.ended(request.conversationId, outcome, { model, usage, firstTokenMs, errorCode: end.errorCode });
  }

  async #failBeforeStart(request: TurnRequest, askedAt: number, error: unknown, live: LiveMessage, log: Logger): Promise<TurnOutcome> {
    const texts = userTextIn(request.locale ?? 'en');
    if (error instanceof StoreError) {
      log.error({ err: error, operation: error.operation }, 'store unavailable');
      const shown = await live.finish({ note: texts.storeUnavailable });
      await this.#keepUnanswered(request, 'store-unavailable', askedAt, log, shown.refs);
      return this.#runner.ended(request.conversationId, { type: 'failed', kind: 'store' });
    }
    log.error({ err: error }, 'turn could not start');
    await live.finish({ note: texts.internalError });
    return this.#runner.ended(request.conversationId, { type: 'failed', kind: 'internal' });
  }

  /** The question, marked not answered, into history; into the in-memory queue while the store is down. */
  async #keepUnanswered(request: TurnRequest, reason: UnansweredReason, askedAt: number, log?: Logger, shownIn: readonly { id: string }[] = []): Promise<void> {
    const turnLog = log ?? this.#o.logger.child({ conversation: request.conversationId, turn: request.turnId });
    const exchange = unansweredExchange(request, reason, askedAt, shownIn.map((ref) => ref.id));
    await this.#runner.writer.store(request.conversationId, exchange, turnLog, { retry: false });
  }
}
