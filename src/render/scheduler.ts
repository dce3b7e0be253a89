/**
 * One write queue per platform rate scope, shared by every live message of the
 * process. A scope never starts more than `limit` writes in any `windowMs`;
 * a write counts from when it starts until `windowMs` after it finished, because
 * the platform counts it at some moment in between. Live writes are also spaced
 * `windowMs / limit` apart so one stream cannot spend a whole window in a burst
 * and then freeze; a message's first post and its final edit skip that spacing.
 */
import { PlatformError } from '../errors/platform-error.ts';
import type { RateScope } from '../surface.ts';

/** How urgent a write is: `final` goes before everything else in its scope. */
export type WritePriority = 'final' | 'first' | 'live';

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
  limit: number;
  windowMs: number;
  readonly waiting: Waiting[];
  /** When recent writes finished; each holds a slot until `windowMs` after. */
  readonly finished: number[];
  inFlight: number;
  lastStart: number;
  pausedUntil: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  pumpQueued: boolean;
}

export class WriteScheduler {
  readonly #now: () => number;
  readonly #onRateLimited: ((scopeKey: string, retryAfterMs: number) => void) | undefined;
  readonly #scopes = new Map<string, ScopeState>();
  #rateLimited = 0;

  constructor(opts: { now?: () => number; onRateLimited?: (scopeKey: string, retryAfterMs: number) => void } = {}) {
    this.#now = opts.now ?? Date.now;
    this.#onRateLimited = opts.onRateLimited;
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
    let state = this.#scopes.get(scope.key);
    if (!state) {
      state = {
        limit: scope.limit,
        windowMs: scope.windowMs,
        waiting: [],
        finished: [],
        inFlight: 0,
        lastStart: Number.NEGATIVE_INFINITY,
        pausedUntil: 0,
        timer: undefined,
        pumpQueued: false,
      };
      this.#scopes.set(scope.key, state);
    }
    // Budgets come with each request; the newest word on a scope wins.
    state.limit = Math.max(1, scope.limit);
    state.windowMs = scope.windowMs;
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

  #pump(key: string, state: ScopeState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    for (;;) {
      const now = this.#now();
      while (state.finished.length > 0 && (state.finished[0] ?? 0) + state.windowMs <= now) state.finished.shift();
      if (state.waiting.length === 0) return this.#forgetWhenIdle(key, state, now);
      if (state.pausedUntil > now) return this.#wakeAt(key, state, state.pausedUntil);
      if (state.inFlight + state.finished.length >= state.limit) {
        // Full: the oldest finished write frees a slot, or a running one will pump when it ends.
        const oldest = state.finished[0];
        if (oldest !== undefined) this.#wakeAt(key, state, oldest + state.windowMs);
        return;
      }
      const next = this.#next(state);
      if (next.job.priority === 'live') {
        const paced = state.lastStart + state.windowMs / state.limit;
        if (paced > now) return this.#wakeAt(key, state, paced);
      }
      state.waiting.splice(state.waiting.indexOf(next), 1);
      this.#start(key, state, next);
    }
  }

  /** Final writes first; otherwise (and among finals) the job that has waited longest. */
  #next(state: ScopeState): Waiting {
    let best = state.waiting[0] as Waiting;
    for (const waiting of state.waiting) {
      const finalFirst = (waiting.job.priority === 'final' ? 0 : 1) - (best.job.priority === 'final' ? 0 : 1);
      if (finalFirst < 0 || (finalFirst === 0 && waiting.since < best.since)) best = waiting;
    }
    return best;
  }

  #start(key: string, state: ScopeState, waiting: Waiting): void {
    state.inFlight += 1;
    state.lastStart = this.#now();
    waiting.job.run().then(
      (wrote) => {
        state.inFlight -= 1;
        if (wrote) state.finished.push(this.#now());
        this.#queuePump(key, state);
      },
      (err: unknown) => {
        state.inFlight -= 1;
        state.finished.push(this.#now());
        if (err instanceof PlatformError && err.kind === 'rate-limited') {
          const retryAfterMs = err.retryAfterMs ?? state.windowMs;
          this.#rateLimited += 1;
          this.#onRateLimited?.(key, retryAfterMs);
          // The whole scope waits: the platform counts every stream in it together.
          state.pausedUntil = Math.max(state.pausedUntil, this.#now() + retryAfterMs);
          state.waiting.push(waiting);
        }
        this.#queuePump(key, state);
      },
    );
  }

  /** Drops an idle scope once its window has passed, so channels seen once do not pile up. */
  #forgetWhenIdle(key: string, state: ScopeState, now: number): void {
    if (state.inFlight > 0) return;
    const until = Math.max(state.pausedUntil, (state.finished.at(-1) ?? 0) + state.windowMs);
    if (until <= now) {
      if (this.#scopes.get(key) === state) this.#scopes.delete(key);
      return;
    }
    this.#wakeAt(key, state, until);
    state.timer?.unref?.();
  }

  #wakeAt(key: string, state: ScopeState, at: number): void {
    state.timer = setTimeout(() => this.#pump(key, state), Math.max(0, at - this.#now()));
  }
}
