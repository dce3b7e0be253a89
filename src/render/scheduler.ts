/**
 * One write queue per platform rate scope, shared by every live message of the
 * process. A scope never starts more than `limit` writes in any `windowMs`;
 * a write counts from when it starts until `windowMs` after it finished, because
 * the platform counts it at some moment in between. Live writes are also spaced
 * `windowMs / limit` apart so one stream cannot spend a whole window in a burst
 * and then freeze; a message's first post and its final edit skip that spacing.
 *
 * The counting itself is the `BudgetLedger`'s: in-process by default, or shared
 * through Redis when several instances write to the same scope. This class owns
 * the order: which job goes next, pacing, and waking up when a slot frees.
 */
import { PlatformError } from '../errors/platform-error.ts';
import type { RateScope } from '../surface.ts';
import { type BudgetLedger, type HeldSlot, InProcessBudgetLedger } from './budget-ledger.ts';

/**
 * How urgent a write is: `final` goes before everything else in its scope;
 * `first` (a message's first post) and `live` (answer text) next; `status`
 * (refreshing a "Thinking…" status) last, and at most one per `statusSpacing`,
 * so a channel full of thinking answers keeps budget for the first words.
 */
export type WritePriority = 'final' | 'first' | 'live' | 'status';

const RANK: Record<WritePriority, number> = { final: 0, first: 1, live: 1, status: 2 };

/** Status refreshes take at most a fifth of a scope's budget (Discord: one per 5 s per channel). */
const statusSpacing = (scope: RateScope) => scope.windowMs / Math.max(1, Math.floor(scope.limit / 5));

/** One stream's pending writes, as the scheduler sees them. */
export interface WriteJob {
  /** Read when the scheduler picks the next job, so it reflects the latest state. */
  readonly priority: WritePriority;
  /**
   * Writes the latest state once. Resolves whether anything was written (false
   * frees the slot). Handles its own failures, except a rate limit: that it throws
   * as a `PlatformError` of kind `rate-limited`, and the scheduler pauses the scope
   * and runs the job again (with the then latest state) when the pause is over.
   */
  run(): Promise<boolean>;
}


interface Waiting {
  readonly job: WriteJob;
  /** When the job started waiting; the longest-waiting job goes next. */
  readonly since: number;
}

interface ScopeState {
  scope: RateScope;
  readonly waiting: Waiting[];
  inFlight: number;
  lastStart: number;
  lastStatusStart: number;
  lastFinish: number;
  pausedUntil: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  pumpQueued: boolean;
  /** A pump is waiting for the ledger; `pumpAgain` asks it to look once more when done. */
  pumping: boolean;
  pumpAgain: boolean;
}

export interface WriteSchedulerOptions {
  readonly now?: () => number;
  readonly onRateLimited?: (scopeKey: string, retryAfterMs: number) => void;
  /** Told about every write started, for metrics. */
  readonly onWrite?: (scopeKey: string) => void;
  /** Counts writes per scope. Default: this process's writes only; pass `Store.budgets` when instances share scopes. */
  readonly ledger?: BudgetLedger | undefined;
}

export class WriteScheduler {
  readonly #now: () => number;
  readonly #onRateLimited: ((scopeKey: string, retryAfterMs: number) => void) | undefined;
  readonly #onWrite: ((scopeKey: string) => void) | undefined;
  readonly #ledger: BudgetLedger;
  readonly #scopes = new Map<string, ScopeState>();
  #rateLimited = 0;

  constructor(opts: WriteSchedulerOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#onRateLimited = opts.onRateLimited;
    this.#onWrite = opts.onWrite;
    this.#ledger = opts.ledger ?? new InProcessBudgetLedger();
  }

  /** How many writes the platforms answered with a rate limit (429) so far. */
  get rateLimitedCount(): number {
    return this.#rateLimited;
  }

  /** Queues `job` for one write in `scope`; a job already waiting there keeps its place. */
  request(scope: RateScope, job: WriteJob): void {
    const state = this.#scope(scope);
    if (!state.waiting.some((w) => w.job === job)) state.waiting.push({ job, since: this.#now() });
    this.#queuePump(scope.key, state);
  }

  /** Takes `job` out of every queue (its stream stopped). A write already running finishes. */
  cancel(job: WriteJob): void {
    for (const [key, state] of this.#scopes) {
      const index = state.waiting.findIndex((w) => w.job === job);
      if (index !== -1) {
        state.waiting.splice(index, 1);
        this.#queuePump(key, state);
      }
    }
  }

  #scope(scope: RateScope): ScopeState {
    // Budgets come with each request; the newest word on a scope wins.
    const latest: RateScope = { key: scope.key, limit: Math.max(1, scope.limit), windowMs: scope.windowMs };
    let state = this.#scopes.get(scope.key);
    if (!state) {
      state = {
        scope: latest,
        waiting: [],
        inFlight: 0,
        lastStart: Number.NEGATIVE_INFINITY,
        lastStatusStart: Number.NEGATIVE_INFINITY,
        lastFinish: Number.NEGATIVE_INFINITY,
        pausedUntil: 0,
        timer: undefined,
        pumpQueued: false,
        pumping: false,
        pumpAgain: false,
      };
      this.#scopes.set(scope.key, state);
    }
    state.scope = latest;
    return state;
  }

  /** Pumps after the current task, so deltas pushed in the same tick make one write. */
  #queuePump(key: string, state: ScopeState): void {
    if (state.pumpQueued) return;
    state.pumpQueued = true;
    queueMicrotask(() => {
      state.pumpQueued = false;
      this.#pump(key, state);
    });
  }

  /** One pump per scope at a time: the ledger answers asynchronously, and two pumps would both take its slots. */
  #pump(key: string, state: ScopeState): void {
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
  async #drain(key: string, state: ScopeState): Promise<void> {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    try {
      for (;;) {
        // Whatever happens from here on is looked at by this loop or by the next pump.
        state.pumpAgain = false;
        const now = this.#now();
        if (state.waiting.length === 0) return this.#forgetWhenIdle(key, state, now);
        const readyAt = this.#readyAt(state);
        if (readyAt > now) return this.#wakeAt(key, state, readyAt);
        const reservation = await this.#ledger.reserve(state.scope, now);
        if (!reservation.granted) {
          // Infinity: one of our writes in flight holds the slot and pumps when it ends.
          if (Number.isFinite(reservation.retryInMs)) this.#wakeAt(key, state, now + Math.max(0, reservation.retryInMs));
          return;
        }
        // The queue may have changed while the ledger answered. A 429 that came meanwhile
        // does not recall the slot: the write was due before the pause was known.
        if (state.waiting.length === 0 || this.#pacedUntil(state) > this.#now()) {
          reservation.release(undefined);
          continue;
        }
        const next = this.#next(state);
        state.waiting.splice(state.waiting.indexOf(next), 1);
        this.#start(key, state, next, reservation);
      }
    } catch {
      // A ledger must not throw; if one does, try again after one pacing interval rather than stall.
      this.#wakeAt(key, state, this.#now() + state.scope.windowMs / state.scope.limit);
    }
  }

  /** When the next job may start as far as this process knows: after a pause and, for a live edit, the pacing interval. */
  #readyAt(state: ScopeState): number {
    return Math.max(state.pausedUntil, this.#pacedUntil(state));
  }

  #pacedUntil(state: ScopeState): number {
    const priority = this.#next(state).job.priority;
    if (priority === 'final' || priority === 'first') return 0;
    const live = state.lastStart + state.scope.windowMs / state.scope.limit;
    return priority === 'status' ? Math.max(live, state.lastStatusStart + statusSpacing(state.scope)) : live;
  }

  /** By rank (final, then first and live, then status); within a rank the job that has waited longest. */
  #next(state: ScopeState): Waiting {
    let best = state.waiting[0] as Waiting;
    for (const waiting of state.waiting) {
      const rank = RANK[waiting.job.priority] - RANK[best.job.priority];
      if (rank < 0 || (rank === 0 && waiting.since < best.since)) best = waiting;
    }
    return best;
  }

  #start(key: string, state: ScopeState, waiting: Waiting, slot: HeldSlot): void {
    state.inFlight += 1;
    state.lastStart = this.#now();
    if (waiting.job.priority === 'status') state.lastStatusStart = state.lastStart;
    this.#onWrite?.(key);
    waiting.job.run().then(
      (wrote) => {
        state.inFlight -= 1;
        const at = this.#now();
        slot.release(wrote ? at : undefined);
        if (wrote) state.lastFinish = at;
        this.#queuePump(key, state);
      },
      (err: unknown) => {
        state.inFlight -= 1;
        const at = this.#now();
        slot.release(at);
        state.lastFinish = at;
        if (err instanceof PlatformError && err.kind === 'rate-limited') {
          const retryAfterMs = err.retryAfterMs ?? state.scope.windowMs;
          this.#rateLimited += 1;
          this.#onRateLimited?.(key, retryAfterMs);
          // The whole scope waits: the platform counts every stream in it together,
          // on every instance (the ledger tells the others).
          state.pausedUntil = Math.max(state.pausedUntil, at + retryAfterMs);
          // Fire and forget: `pause` never rejects, and this instance's own pause is set above.
          void this.#ledger.pause(state.scope, at, retryAfterMs);
          state.waiting.push(waiting);
        }
        this.#queuePump(key, state);
      },
    );
  }

  /** Drops an idle scope once its window has passed, so channels seen once do not pile up. */
  #forgetWhenIdle(key: string, state: ScopeState, now: number): void {
    if (state.inFlight > 0) return;
    const until = Math.max(state.pausedUntil, state.lastFinish + state.scope.windowMs);
    if (until <= now) {
      if (this.#scopes.get(key) === state) this.#scopes.delete(key);
      return;
    }
    this.#wakeAt(key, state, until);
    state.timer?.unref?.();
  }

  #wakeAt(key: string, state: ScopeState, at: number): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => this.#pump(key, state), Math.max(0, at - this.#now()));
  }
}
