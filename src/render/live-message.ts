/**
 * One answer as it appears on a platform: the renderer keeps the whole text and
 * writes frames (the latest state), never deltas. Writes wait their turn in the
 * shared `WriteScheduler`, so any number of deltas between two writes make one
 * edit, and the platform's budget for the channel or workspace is never exceeded.
 */
import type { ReasoningDisplay } from '../config.ts';
import type { Locale } from '../i18n/locale.ts';
import { userTextIn, type UserText } from '../user-text.ts';
import { PlatformError, type PlatformErrorKind } from '../errors/platform-error.ts';
import type { MessageRef, Surface } from '../surface.ts';
import type { UpstreamEvent } from '../upstream/events.ts';
import { frames, type MessageFrame, type RenderState, sealOverflow } from './frame.ts';
import { MessageSlots, type Write } from './message-slots.ts';
import { ProgressReport } from './progress.ts';
import type { WriteJob, WritePriority, WriteScheduler } from './scheduler.ts';
import { type Cursor, startCursor } from './split.ts';
import { AnswerBudgets, type Budgets } from './write-budgets.ts';
import { failureAction } from './write-failure.ts';

export type RenderLog = (level: 'warn' | 'error' | 'debug', fields: Record<string, unknown>, msg: string) => void;

export interface LiveMessageOptions {
  readonly surface: Surface;
  readonly scheduler: WriteScheduler;
  readonly reasoningDisplay: ReasoningDisplay;
  /** The asker's language, for the thinking status and the reasoning's title (default English). */
  readonly locale?: Locale;
  /** The turn's signal: once aborted, live writes stop; `finish` still writes the final state. */
  readonly signal: AbortSignal;
  readonly log?: RenderLog;
  /**
   * How long `finish` may take to land the final state, queueing included (default
   * 5 minutes: a crowd's finals are paced through a workspace's budget, e.g. 100
   * finals at chat.update's 40 a minute take 2.5 minutes).
   */
  readonly finalTimeoutMs?: number;
  /**
   * Messages an earlier version of this answer occupies (a regeneration): the new answer
   * is written into them in order, by edits, and those it does not need are deleted when it
   * is over (`Surface.delete`), or left as they were on a surface that cannot delete.
   */
  readonly existing?: readonly MessageRef[];
}

export interface FinishedMessage {
  /** The answer as the user saw it (no status, notices, note or footer), for history. */
  readonly shownText: string;
  /** How many messages the answer occupies on the platform. */
  readonly messages: number;
  /** Those messages, in order: a regeneration writes into them again. */
  readonly refs: readonly MessageRef[];
  /** Why the platform stopped taking this answer's writes, if it did (a missing permission, a deleted message). */
  readonly undelivered: PlatformErrorKind | undefined;
}

export class LiveMessage {
  readonly #surface: Surface;
  readonly #scheduler: WriteScheduler;
  readonly #mode: ReasoningDisplay;
  readonly #texts: UserText;
  readonly #signal: AbortSignal;
  readonly #log: RenderLog;
  readonly #finalTimeoutMs: number;
  readonly #job: WriteJob;
  /** The surface's own status line, if it keeps one (`Surface.showProgress`). */
  readonly #progress: ProgressReport | undefined;
  readonly #budgets: AnswerBudgets;

  #reasoning = '';
  #answer = '';
  /** The answer holds more than whitespace: kept as deltas come, not found again in the whole answer on every write. */
  #hasText = false;
  /** A write carrying answer text has landed (after it, edits are paced). */
  #answerShown = false;
  #started = false;
  /** The thinking placeholder could not go at once (a busy scope): the first post waits for answer text. */
  #placeholderSkipped = false;
  #notices: string[] = [];
  #sealed: string[] = [];
  #cursor: Cursor = startCursor;
  #end: { note?: string | undefined; footer?: string | undefined } | undefined;
  readonly #slots: MessageSlots;

  /** The write waiting in the scheduler, and the budgets it was queued for. */
  #queued: Budgets | undefined;
  #running = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  /** Set when the platform said the message or channel is gone or forbidden: nothing more is written. */
  #stopped = false;
  /** The platform's reason for `#stopped`, when it was the platform's doing. */
  #undelivered: PlatformErrorKind | undefined;
  #final: { controller: AbortController; timer: ReturnType<typeof setTimeout>; done: (m: FinishedMessage) => void } | undefined;
  /** The final state landed (or was given up on): the answer needs no more writes. */
  #settled = false;
  /** Whether the surface was told the answer is over (`Surface.finished`). */
  #toldFinished = false;
  #finished: Promise<FinishedMessage> | undefined;

  constructor(opts: LiveMessageOptions) {
    this.#surface = opts.surface;
    this.#scheduler = opts.scheduler;
    this.#mode = opts.reasoningDisplay;
    this.#texts = userTextIn(opts.locale ?? 'en');
    this.#signal = opts.signal;
    this.#log = opts.log ?? (() => {});
    this.#finalTimeoutMs = opts.finalTimeoutMs ?? 300_000;
    this.#progress = ProgressReport.for(opts.surface, opts.reasoningDisplay);
    this.#budgets = new AnswerBudgets(opts.surface, opts.scheduler);
    this.#slots = new MessageSlots(opts.existing);
    // A regeneration edits messages already posted: a surface with another path for that takes it, so they count where they are written.
    if (opts.existing && opts.existing.length > 0) this.#budgets.overflow();
    const self = this;
    this.#job = {
      get priority(): WritePriority {
        return self.#priority();
      },
      run: () => this.#run(),
      overflow: () => this.#overflow(),
    };
    this.#signal.addEventListener('abort', () => this.#onTurnAborted(), { once: true });
  }

  /** Takes one upstream event. Cheap: it only updates state and asks for a write slot. Ignored once the turn is stopped. */
  push(event: UpstreamEvent): void {
    // A stopped turn keeps what the user saw; text still in flight from upstream is dropped.
    if (this.#end || this.#signal.aborted) return;
    if (event.type === 'reasoning') {
      this.#reasoning += event.text;
      this.#started = true;
      this.#progress?.reasoning(event.text, this.#reasoning);
    } else if (event.type === 'text') {
      this.#answer += event.text;
      this.#hasText ||= /\S/.test(event.text);
      this.#started = true;
      this.#progress?.text(event.text);
      // Cheap test first: a message cannot overflow before it holds half a message of answer.
      if (this.#answer.length - this.#cursor.offset > this.#surface.maxMessageLength / 2) this.#seal();
    } else {
      return;
    }
    this.#kick();
  }

  /** Shows a notice (Markdown) above the answer, e.g. a skipped attachment. */
  addNotice(markdown: string): void {
    if (this.#end) return;
    this.#notices.push(markdown);
    this.#kick();
  }

  /**
   * Puts `markdown` in place of everything the answer showed so far (its reasoning, text and
   * notices), before `finish`: a regeneration that failed shows the previous answer again.
   */
  replaceAnswer(markdown: string): void {
    if (this.#end) return;
    this.#reasoning = '';
    this.#answer = markdown;
    this.#hasText = /\S/.test(markdown);
    this.#started = true;
    this.#notices = [];
    this.#sealed = [];
    this.#cursor = startCursor;
    this.#seal();
    this.#kick();
  }

  /** Writes the final state exactly once and resolves when it landed (or could not). */
  finish(end: { note?: string; footer?: string }): Promise<FinishedMessage> {
    if (this.#finished) return this.#finished;
    this.#end = { note: end.note, footer: end.footer };
    this.#finished = new Promise<FinishedMessage>((resolve) => {
      const controller = new AbortController();
      // Not the turn's signal: a stopped turn still gets its final frame, within this deadline.
      const timer = setTimeout(() => {
        this.#log('warn', { messages: this.#slots.posted }, 'final message not written before the deadline');
        controller.abort(new Error('final write deadline passed'));
        this.#stop();
        // Resolve even if the platform call ignores the abort.
        this.#resolve();
      }, this.#finalTimeoutMs);
      this.#final = { controller, timer, done: resolve };
    });
    // The final write may count against another budget than the live one queued (Slack's chat.stopStream).
    this.#kick(true);
    this.#settleIfDone();
    return this.#finished;
  }

  #state(): RenderState {
    return {
      maxLength: this.#surface.maxMessageLength,
      reasoningDisplay: this.#mode,
      texts: this.#texts,
      reasoning: this.#reasoning,
      answer: this.#answer,
      // Without its placeholder, the answer shows nothing until its text comes.
      started: this.#started && !(this.#placeholderSkipped && !this.#hasText),
      notices: this.#notices,
      sealed: this.#sealed,
      cursor: this.#cursor,
      end: this.#end,
      appendOnly: this.#surface.appendOnly === true,
    };
  }

  #seal(): void {
    const { sealed, cursor } = sealOverflow(this.#state());
    if (sealed.length === this.#sealed.length) return;
    // Notices pending at a seal went into the sealed message.
    this.#notices = [];
    this.#sealed = sealed;
    this.#cursor = cursor;
  }

  /** The first message whose platform copy is behind its frame. */
  #nextWrite(): Write | undefined {
    return this.#slots.next(this.#frames(), { ended: this.#end !== undefined, canDelete: this.#surface.delete !== undefined });
  }

  /** The last frames computed, and the state they were computed from. */
  #framesOf: { state: RenderState; notices: number; frames: MessageFrame[] } | undefined;

  /**
   * `frames()` of the current state, computed again only when the state changed: the
   * renderer asks after every delta and every write, and a frame of a long answer costs
   * a string of the whole message.
   */
  #frames(): MessageFrame[] {
    const state = this.#state();
    const cached = this.#framesOf;
    if (
      cached !== undefined &&
      cached.state.answer === state.answer &&
      cached.state.reasoning === state.reasoning &&
      cached.state.notices === state.notices &&
      cached.notices === state.notices.length &&
      cached.state.sealed === state.sealed &&
      cached.state.cursor === state.cursor &&
      cached.state.end === state.end &&
      cached.state.started === state.started &&
      cached.state.maxLength === state.maxLength &&
      cached.state.appendOnly === state.appendOnly
    ) {
      return cached.frames;
    }
    const computed = frames(state);
    this.#framesOf = { state, notices: state.notices.length, frames: computed };
    return computed;
  }

  #priority(): WritePriority {
    if (this.#end) return 'final';
    if (this.#queued?.kind === 'post') return 'first';
    // Before any answer text, an edit only refreshes the thinking status: it yields to answer text.
    if (!this.#hasText) return 'status';
    // The edit that turns the thinking status into the first words spends the burst, unpaced.
    return this.#answerShown ? 'live' : 'first';
  }

  /**
   * Asks for a write slot if a message is behind and no write is queued, running or
   * waiting to retry. `recompute`: look again at what is queued (the answer ended).
   */
  #kick(recompute = false): void {
    // A queued placeholder that now has answer text to show is a first-words post: it needs other budgets.
    const placeholderOutgrown = this.#queued?.placeholder === true && this.#hasText;
    // Already waiting: the job's priority may have risen (first words), so let the scheduler look again.
    if (this.#queued && !this.#stopped && !recompute && !placeholderOutgrown) return this.#scheduler.request(this.#queued.scope, this.#job, this.#queued.needs);
    if (this.#stopped || this.#running || this.#retryTimer) return;
    if (this.#signal.aborted && !this.#end) return;
    let next = this.#nextWrite();
    // An answer whose first write is already final has nothing to stream: it takes the surface's other path.
    if (next?.kind === 'post' && next.frame.state === 'final' && this.#budgets.canOverflow(this.#slots.posted)) {
      this.#budgets.overflow();
      next = this.#nextWrite();
    }
    if (!next) {
      if (this.#queued) this.#scheduler.cancel(this.#job);
      this.#queued = undefined;
      this.#updateExpected();
      return this.#settleIfDone();
    }
    const queued = this.#budgets.budgetsOf(next, this.#hasText);
    if (this.#queued && this.#queued.scope.key !== queued.scope.key) this.#scheduler.cancel(this.#job);
    this.#queued = queued;
    this.#updateExpected();
    this.#scheduler.request(queued.scope, this.#job, queued.needs);
  }

  /**
   * The scheduler found this answer's first post short of budget: a thinking placeholder
   * is dropped (the answer's first post waits for its text), and an answer that can go
   * the surface's other way goes now rather than wait.
   */
  #overflow(): boolean {
    if (this.#queued?.kind === 'post' && this.#queued.placeholder && !this.#placeholderSkipped) {
      this.#placeholderSkipped = true;
      this.#log('debug', {}, 'scope busy: no thinking placeholder, the answer posts with its first words');
      this.#queued = undefined;
      this.#kick();
      return true;
    }
    if (this.#queued?.kind !== 'post' || !this.#budgets.canOverflow(this.#slots.posted)) return false;
    this.#budgets.overflow();
    this.#log('debug', {}, 'first post short of budget; the answer takes the surface\'s other path');
    this.#queued = undefined;
    this.#kick();
    return true;
  }

  /** Tells the scheduler which urgent writes this answer still needs, so live writes leave budget for them. */
  #updateExpected(): void {
    const over = this.#settled || this.#stopped || (this.#end !== undefined && !this.#nextWrite());
    this.#budgets.expect(over ? undefined : { open: this.#slots.open, answerShown: this.#answerShown });
  }

  async #run(): Promise<boolean> {
    const granted = this.#queued;
    this.#queued = undefined;
    this.#running = true;
    let rateLimited = false;
    try {
      const signal = this.#final ? this.#final.controller.signal : this.#signal;
      if (this.#stopped || signal.aborted) return false;
      const next = this.#nextWrite();
      // Nothing to do, or the next write counts against another scope: ask again there.
      const wants = next && this.#budgets.budgetsOf(next, this.#hasText);
      if (!next || !wants || !granted || wants.kind !== granted.kind || wants.scope.key !== granted.scope.key) return false;
      try {
        await this.#write(next, signal);
        this.#failures = 0;
        // Before the scheduler hears the write ended: a final it promised is expected from here on.
        this.#updateExpected();
      } catch (err) {
        rateLimited = err instanceof PlatformError && err.kind === 'rate-limited';
        if (rateLimited) {
          this.#log('debug', { retryAfterMs: (err as PlatformError).retryAfterMs }, 'platform rate limit hit');
          this.#queued = granted;
          throw err;
        }
        this.#failed(err, next, signal);
      }
      return true;
    } finally {
      this.#running = false;
      if (!rateLimited) {
        this.#kick();
        this.#settleIfDone();
      }
    }
  }

  async #write(write: Write, signal: AbortSignal): Promise<void> {
    const showsAnswer = this.#hasText;
    await this.#slots.write(this.#surface, write, signal);
    if (showsAnswer) this.#answerShown = true;
  }

  /** Acts on a failed write; never throws, so one broken message does not break the turn. */
  #failed(err: unknown, write: Write, signal: AbortSignal): void {
    const fields = { err, message: write.index, write: write.kind };
    if (signal.aborted) return this.#log('debug', fields, 'platform write aborted');
    const isRetryable = !(err instanceof PlatformError) || err.kind === 'unavailable';
    if (write.kind === 'delete' && !isRetryable) {
      // Gone already is what was wanted; a refused delete leaves an old part behind, which is all it costs.
      if (err.kind !== 'gone') this.#log('warn', { ...fields, kind: err.kind }, 'could not delete a message the regenerated answer did not need');
      return this.#slots.giveUpDeleting(write);
    }
    const action = failureAction(err, isRetryable ? ++this.#failures : this.#failures);
    if (action.type === 'refuse') {
      this.#log('warn', fields, 'platform refused the text, not sending it again');
      // A refused delete was given up on above.
      if (write.kind !== 'delete') this.#slots.refuse(write);
      return;
    }
    if (action.type === 'stop') {
      this.#log(action.level, { ...fields, kind: action.kind }, action.msg);
      this.#undelivered = action.kind;
      return this.#stop();
    }
    this.#log(action.level, fields, 'platform write failed, retrying');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#kick();
    }, action.afterMs);
  }

  #onTurnAborted(): void {
    if (this.#end || !this.#queued) return;
    this.#scheduler.cancel(this.#job);
    this.#queued = undefined;
  }

  #stop(): void {
    this.#stopped = true;
    this.#scheduler.cancel(this.#job);
    this.#queued = undefined;
    this.#budgets.expect(undefined);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#settleIfDone();
  }

  #settleIfDone(): void {
    const final = this.#final;
    if (!final || this.#running || this.#queued || this.#retryTimer) return;
    if (!this.#stopped && this.#nextWrite()) return;
    this.#resolve();
  }

  #resolve(): void {
    const final = this.#final;
    if (!final) return;
    clearTimeout(final.timer);
    this.#settled = true;
    this.#budgets.expect(undefined);
    if (!this.#toldFinished && this.#surface.finished) {
      this.#toldFinished = true;
      this.#surface
        .finished(AbortSignal.timeout(this.#finalTimeoutMs))
        .catch((err: unknown) => this.#log('debug', { err }, 'surface clean-up after the answer failed'));
    }
    const refs = this.#slots.refs;
    final.done({
      shownText: this.#hasText ? this.#answer : '',
      messages: refs.length,
      refs,
      undelivered: this.#undelivered,
    });
  }
}
