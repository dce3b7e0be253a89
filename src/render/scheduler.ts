/**
 * One write queue per platform rate scope, shared by every live message of the
 * process. The counting is the `BudgetLedger`'s (in process, or through Redis
 * when several instances write to the same scope); this class owns the order:
 * which job goes next, pacing, the reserve, and waking up when a slot frees.
 *
 * - Urgent writes first: a message's final state, then first writes (a first post,
 *   the edit that shows an answer's first words), then live text, then "Thinking…"
 *   status refreshes. Urgent writes skip pacing and take any budget there is.
 * - Live writes are paced (`paceMs`: the bucket's refill, or the window's even share)
 *   and leave a reserve: the urgent writes the streams in flight said they will need
 *   (`expect`). So a final never waits for a window that live frames drained, and as
 *   the crowd in a scope grows its live cadence drops, down to first words then final.
 * - A post that opens a message promises the writes that message will need in the
 *   scope where they count (`WriteNeeds.promises`): it goes only while that scope can
 *   keep them beside every write already expected there, and waits otherwise, at most
 *   `PROMISE_HOLD_MS`. So a crowd's finals are never more than its budget can take at
 *   once: an answer that cannot be promised its final and ends meanwhile posts whole.
 * - A write that could take another path (`WriteJob.overflow`) does so at once rather
 *   than wait for a short budget (Slack's native streaming starts); an optional one (a
 *   thinking placeholder) is dropped.
 */
import { PlatformError } from '../errors/platform-error.ts';
import type { RateScope } from '../surface.ts';
import { type BudgetLedger, type HeldSlot, InProcessBudgetLedger, type Reservation } from './budget-ledger.ts';
import { paceMs } from './pacing.ts';
import { ScopeQueue, urgent, type Waiting, type WriteJob, type WriteNeeds } from './scope-queue.ts';

export type { WriteJob, WriteNeeds, WritePriority } from './scope-queue.ts';

export interface WriteSchedulerOptions {
  readonly now?: () => number;
  readonly onRateLimited?: (scopeKey: string, retryAfterMs: number) => void;
  /** Told about every write started, for metrics. */
  readonly onWrite?: (scopeKey: string) => void;
  /** Counts writes per scope. Default: this process's writes only; pass `Store.budgets` when instances share scopes. */
  readonly ledger?: BudgetLedger | undefined;
  /** How long a post waits for its promise before it goes without (default `PROMISE_HOLD_MS`). */
  readonly promiseHoldMs?: number | undefined;
}

/**
 * How long an answer's first post waits for the promise of its final edit. A crowd's
 * short answers are over by then and post whole, so their finals never queue for the
 * scope's budget; a long one shows its first words at most this late, and its final
 * then takes its turn with the others, which end at other times.
 */
export const PROMISE_HOLD_MS = 5000;

export class WriteScheduler {
  readonly #now: () => number;
  readonly #onRateLimited: ((scopeKey: string, retryAfterMs: number) => void) | undefined;
  readonly #onWrite: ((scopeKey: string) => void) | undefined;
  readonly #ledger: BudgetLedger;
  readonly #promiseHoldMs: number;
  readonly #scopes = new Map<string, ScopeQueue>();
  /** Queues where a waiting write promises a final in another scope: woken when that scope's reserve shrinks. */
  readonly #promising = new Set<ScopeQueue>();
  #rateLimited = 0;

  constructor(opts: WriteSchedulerOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#onRateLimited = opts.onRateLimited;
    this.#onWrite = opts.onWrite;
    this.#ledger = opts.ledger ?? new InProcessBudgetLedger();
    this.#promiseHoldMs = opts.promiseHoldMs ?? PROMISE_HOLD_MS;
  }

  /** How many writes the platforms answered with a rate limit (429) so far. */
  get rateLimitedCount(): number {
    return this.#rateLimited;
  }

  /**
   * Queues `job` for one write in `scope`; a job already waiting there keeps its
   * place (its `needs` are updated).
   */
  request(scope: RateScope, job: WriteJob, needs: WriteNeeds = {}): void {
    const state = this.#scope(scope);
    state.add(job, needs, this.#now());
    if (needs.promises) this.#promising.add(state);
    this.#queuePump(scope.key, state);
  }

  /** Takes `job` out of every queue (its stream stopped). A write already running finishes. */
  cancel(job: WriteJob): void {
    for (const [key, state] of this.#scopes) {
      if (state.remove(job)) this.#queuePump(key, state);
    }
  }

  /**
   * A stream in flight will need `writes` more urgent writes (its first words, its
   * final) in `scope`; negative when it wrote them or no longer needs them. Live
   * and status writes there leave that much budget untouched.
   */
  expect(scope: RateScope, writes: number): void {
    if (writes === 0) return;
    const state = this.#scope(scope);
    state.expected = Math.max(0, state.expected + writes);
    if (writes > 0) return;
    // Less reserved: a live write held back may go now, and so may a write waiting for this scope's promise.
    this.#queuePump(scope.key, state);
    for (const other of this.#promising) {
      if (!other.waiting.some((w) => w.needs.promises)) this.#promising.delete(other);
      else if (other.waiting.some((w) => w.needs.promises?.key === scope.key)) this.#queuePump(other.scope.key, other);
    }
  }

  #scope(scope: RateScope): ScopeQueue {
    let state = this.#scopes.get(scope.key);
    // Budgets come with each request; the newest word on a scope wins. Most requests bring the same one: no copy then.
    if (state && sameBudget(state.scope, scope)) return state;
    const latest: RateScope = { ...scope, limit: Math.max(1, scope.limit) };
    if (!state) {
      state = new ScopeQueue(latest);
      this.#scopes.set(scope.key, state);
    }
    state.scope = latest;
    return state;
  }

  /** Pumps after the current task, so deltas pushed in the same tick make one write. */
  #queuePump(key: string, state: ScopeQueue): void {
    if (state.pumpQueued) return;
    state.pumpQueued = true;
    queueMicrotask(() => {
      state.pumpQueued = false;
      this.#pump(key, state);
    });
  }

  /** One pump per scope at a time: the ledger answers asynchronously, and two pumps would both take its slots. */
  #pump(key: string, state: ScopeQueue): void {
    if (state.pumping) {
      state.pumpAgain = true;
      return;
    }
    state.pumping = true;
    void this.#drain(key, state).then(() => {
      state.pumping = false;
      if (state.pumpAgain) this.#pump(key, state);
    });
  }

  /** Starts writes until the queue is empty, paused, paced or the ledger says the scope is full. Never rejects. */
  async #drain(key: string, state: ScopeQueue): Promise<void> {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    try {
      for (;;) {
        // Whatever happens from here on is looked at by this loop or by the next pump.
        state.pumpAgain = false;
        const now = this.#now();
        if (state.waiting.length === 0) return this.#forgetWhenIdle(key, state, now);
        const next = state.next();
        if (state.pausedUntil > now) {
          if (state.overflow()) continue;
          return this.#wakeAt(key, state, state.pausedUntil);
        }
        const pacedUntil = state.pacedUntil(next);
        if (pacedUntil > now) return this.#wakeAt(key, state, pacedUntil);
        // Live writes also leave what the posts waiting for a promise here need: their first words come before live frames.
        const keep = urgent(next.job.priority) ? undefined : { writes: state.reserve + this.#awaitingPromise(state.scope.key) };
        const reservation = await this.#ledger.reserve(state.scope, now, keep);
        if (!reservation.granted) {
          if (state.overflow()) continue;
          return this.#retryIn(key, state, now, reservation);
        }
        // The queue may have changed while the ledger answered: the slot goes back, and the loop looks again.
        // A 429 that came meanwhile does not recall the slot: the write was due before the pause was known.
        if (state.next() !== next || state.pacedUntil(next) > this.#now()) {
          reservation.release(undefined);
          continue;
        }
        const extra = await this.#extraSlot(state, next, now);
        if (extra.type === 'short') {
          reservation.release(undefined);
          if (state.overflow()) continue;
          return this.#retryIn(key, state, now, extra.reservation);
        }
        if (!state.waiting.includes(next)) {
          reservation.release(undefined);
          extra.release(undefined);
          continue;
        }
        this.#start(key, state, next, reservation, extra);
      }
    } catch {
      // A ledger must not throw; if one does, try again after one pacing interval rather than stall.
      this.#wakeAt(key, state, this.#now() + paceMs(state.scope));
    }
  }

  /**
   * The other scope a write needs: a promise (checked, nothing taken) or a second
   * write. `short` when that scope cannot take it now.
   */
  async #extraSlot(
    state: ScopeQueue,
    next: Waiting,
    now: number,
  ): Promise<
    | { type: 'ok'; release: (finishedAt: number | undefined) => void; promised: { state: ScopeQueue; writes: number } | undefined }
    | { type: 'short'; reservation: Reservation }
  > {
    const { promises, alsoSpends } = next.needs;
    const other = alsoSpends ?? promises;
    if (!other || other.key === state.scope.key) return { type: 'ok', release: () => undefined, promised: undefined };
    const otherState = this.#scope(other);
    if (alsoSpends) {
      // A second write is urgent and takes what there is.
      const reservation = await this.#ledger.reserve(other, now);
      if (!reservation.granted) return { type: 'short', reservation };
      return { type: 'ok', release: (at) => reservation.release(at), promised: undefined };
    }
    const writes = Math.max(1, next.needs.promiseWrites ?? 1);
    const holdUntil = (next.promiseSince ?? now) + this.#promiseHoldMs;
    // Held long enough: the post goes without its promise; its final takes its turn with the others.
    if (!next.needs.onlyIfIdle && holdUntil <= now) return { type: 'ok', release: () => undefined, promised: undefined };
    for (;;) {
      const reserved = otherState.reserve;
      // An optional write (a thinking placeholder) goes only into a scope nobody else is counting on.
      if (next.needs.onlyIfIdle && reserved + this.#awaitingPromise(other.key, next) > 0) {
        return { type: 'short', reservation: { granted: false, retryInMs: Number.POSITIVE_INFINITY } };
      }
      // A promise must leave the writes already expected there, all of them.
      const reservation = await this.#ledger.reserve(other, now, { writes: reserved + writes - 1, strict: true });
      if (!reservation.granted) {
        const retryInMs = next.needs.onlyIfIdle ? reservation.retryInMs : Math.min(reservation.retryInMs, holdUntil - now);
        return { type: 'short', reservation: { granted: false, retryInMs } };
      }
      // Only a check: the tokens stay in the bucket, held for this stream by `promised` until it `expect`s its writes.
      reservation.release(undefined);
      // Other scopes' posts may have promised here while the ledger answered: look again with their promises counted.
      if (otherState.reserve > reserved) continue;
      otherState.promised += writes;
      return { type: 'ok', release: () => undefined, promised: { state: otherState, writes } };
    }
  }

  /**
   * Writes that posts waiting in other scopes will promise in `key` once they go
   * (optional ones left out, and `except`). Live writes there leave them, or a crowd's
   * live frames could keep an answer's first words waiting for a token.
   */
  #awaitingPromise(key: string, except?: Waiting): number {
    let writes = 0;
    for (const queue of this.#promising) {
      for (const waiting of queue.waiting) {
        const { promises, onlyIfIdle, promiseWrites } = waiting.needs;
        if (waiting !== except && promises?.key === key && !onlyIfIdle) writes += Math.max(1, promiseWrites ?? 1);
      }
    }
    return writes;
  }

  #retryIn(key: string, state: ScopeQueue, now: number, reservation: Reservation): void {
    // Infinity: one of our writes in flight holds the slot and pumps when it ends.
    if (!reservation.granted && Number.isFinite(reservation.retryInMs)) this.#wakeAt(key, state, now + Math.max(0, reservation.retryInMs));
  }

  #start(
    key: string,
    state: ScopeQueue,
    waiting: Waiting,
    slot: HeldSlot,
    extra: { release: (finishedAt: number | undefined) => void; promised: { state: ScopeQueue; writes: number } | undefined },
  ): void {
    const wasUrgent = urgent(waiting.job.priority);
    state.start(waiting, this.#now());
    this.#onWrite?.(key);
    const ended = (finishedAt: number | undefined) => {
      state.inFlight -= 1;
      if (wasUrgent) state.urgentInFlight -= 1;
      slot.release(finishedAt);
      extra.release(finishedAt);
      if (extra.promised) extra.promised.state.promised -= extra.promised.writes;
    };
    waiting.job.run().then(
      (wrote) => {
        const at = this.#now();
        ended(wrote ? at : undefined);
        if (wrote) state.lastFinish = at;
        this.#queuePump(key, state);
      },
      (err: unknown) => {
        const at = this.#now();
        state.lastFinish = at;
        if (!(err instanceof PlatformError && err.kind === 'rate-limited')) {
          ended(at);
          return this.#queuePump(key, state);
        }
        // Refused, so not counted: the write is counted once, when a retry lands.
        ended(undefined);
        const retryAfterMs = err.retryAfterMs ?? state.scope.windowMs;
        this.#rateLimited += 1;
        this.#onRateLimited?.(key, retryAfterMs);
        // The whole scope waits: the platform counts every stream in it together,
        // on every instance (the ledger tells the others).
        state.pausedUntil = Math.max(state.pausedUntil, at + retryAfterMs);
        // Fire and forget: `pause` never rejects, and this instance's own pause is set above.
        void this.#ledger.pause(state.scope, at, retryAfterMs);
        state.waiting.push(waiting);
        this.#queuePump(key, state);
      },
    );
  }

  /** Drops an idle scope once its window has passed, so channels seen once do not pile up. */
  #forgetWhenIdle(key: string, state: ScopeQueue, now: number): void {
    const until = state.idleUntil();
    if (until === undefined) return;
    if (until <= now) {
      if (this.#scopes.get(key) === state) this.#scopes.delete(key);
      return;
    }
    this.#wakeAt(key, state, until);
    state.timer?.unref?.();
  }

  #wakeAt(key: string, state: ScopeQueue, at: number): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => this.#pump(key, state), Math.max(0, at - this.#now()));
  }
}

/** Whether `scope` says what the queue's `current` budget says (its limit kept at 1 or more). */
function sameBudget(current: RateScope, scope: RateScope): boolean {
  return current.limit === Math.max(1, scope.limit) && current.windowMs === scope.windowMs && current.burst === scope.burst;
}
