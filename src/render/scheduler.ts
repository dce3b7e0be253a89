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
 * - A write that could take another path (`WriteJob.overflow`) does so at once rather
 *   than wait for a short budget (Slack's native streaming starts).
 */
import { PlatformError } from '../errors/platform-error.ts';
import type { RateScope } from '../surface.ts';
import { type BudgetLedger, type HeldSlot, InProcessBudgetLedger, type Reservation } from './budget-ledger.ts';
import { paceMs } from './pacing.ts';

/**
 * How urgent a write is: `final` goes before everything else in its scope;
 * `first` (a message's first post, the first words) next, then `live` (answer
 * text); `status` (refreshing a "Thinking…" status) last, and at most one per five
 * pacing intervals, so a channel full of thinking answers keeps budget for the first words.
 */
export type WritePriority = 'final' | 'first' | 'live' | 'status';

const RANK: Record<WritePriority, number> = { final: 0, first: 1, live: 2, status: 3 };
const urgent = (priority: WritePriority) => priority === 'final' || priority === 'first';

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
  /**
   * The budget for this write is short right now: take another path instead of
   * waiting, if there is one. Returns whether it did; the scheduler then forgets the
   * job, which asks again (in the other path's scope) when it is ready.
   */
  overflow?(): boolean;
}

/** What else a write needs besides its own scope. */
export interface WriteNeeds {
  /**
   * The write opens a message whose final will count in this scope (Slack: a stream
   * started now is stopped later): it goes only if that scope can still promise one
   * more final beyond those the streams in flight expect there.
   */
  readonly promises?: RateScope | undefined;
  /** The write also spends one write in this scope now (a stream started and stopped at once). */
  readonly alsoSpends?: RateScope | undefined;
}

interface Waiting {
  readonly job: WriteJob;
  /** When the job started waiting; the longest-waiting job goes next. */
  readonly since: number;
  needs: WriteNeeds;
}

interface ScopeState {
  scope: RateScope;
  readonly waiting: Waiting[];
  inFlight: number;
  lastStart: number;
  lastStatusStart: number;
  lastFinish: number;
  pausedUntil: number;
  /** Urgent writes the streams in flight said they will need here (`expect`). */
  expected: number;
  /** Finals promised by writes still running, before their streams `expect` them. */
  promised: number;
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

  /**
   * Queues `job` for one write in `scope`; a job already waiting there keeps its
   * place (its `needs` are updated).
   */
  request(scope: RateScope, job: WriteJob, needs: WriteNeeds = {}): void {
    const state = this.#scope(scope);
    const waiting = state.waiting.find((w) => w.job === job);
    if (waiting) waiting.needs = needs;
    else state.waiting.push({ job, since: this.#now(), needs });
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
    for (const [key, other] of this.#scopes) {
      if (other.waiting.some((w) => w.needs.promises?.key === scope.key)) this.#queuePump(key, other);
    }
  }

  #scope(scope: RateScope): ScopeState {
    // Budgets come with each request; the newest word on a scope wins.
    const latest: RateScope = { ...scope, limit: Math.max(1, scope.limit) };
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
        expected: 0,
        promised: 0,
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
        const next = this.#next(state);
        if (state.pausedUntil > now) {
          if (this.#overflow(state)) continue;
          return this.#wakeAt(key, state, state.pausedUntil);
        }
        const pacedUntil = this.#pacedUntil(state, next);
        if (pacedUntil > now) return this.#wakeAt(key, state, pacedUntil);
        const keep = urgent(next.job.priority) ? undefined : { writes: this.#reserveOf(state) };
        const reservation = await this.#ledger.reserve(state.scope, now, keep);
        if (!reservation.granted) {
          if (this.#overflow(state)) continue;
          return this.#retryIn(key, state, now, reservation);
        }
        // The queue may have changed while the ledger answered: the slot goes back, and the loop looks again.
        // A 429 that came meanwhile does not recall the slot: the write was due before the pause was known.
        if (this.#next(state) !== next || this.#pacedUntil(state, next) > this.#now()) {
          reservation.release(undefined);
          continue;
        }
        const extra = await this.#extraSlot(state, next, now);
        if (extra.type === 'short') {
          reservation.release(undefined);
          if (this.#overflow(state)) continue;
          return this.#retryIn(key, state, now, extra.reservation);
        }
        if (!state.waiting.includes(next)) {
          reservation.release(undefined);
          extra.release(undefined);
          continue;
        }
        state.waiting.splice(state.waiting.indexOf(next), 1);
        this.#start(key, state, next, reservation, extra);
      }
    } catch {
      // A ledger must not throw; if one does, try again after one pacing interval rather than stall.
      this.#wakeAt(key, state, this.#now() + paceMs(state.scope));
    }
  }

  /** The budget live writes leave in a scope: the urgent writes its streams expect, and the finals promised. */
  #reserveOf(state: ScopeState): number {
    return state.expected + state.promised;
  }

  /**
   * The other scope a write needs: a promise (checked, nothing taken) or a second
   * write. `short` when that scope cannot take it now.
   */
  async #extraSlot(
    state: ScopeState,
    next: Waiting,
    now: number,
  ): Promise<{ type: 'ok'; release: (finishedAt: number | undefined) => void; promised: ScopeState | undefined } | { type: 'short'; reservation: Reservation }> {
    const { promises, alsoSpends } = next.needs;
    const other = alsoSpends ?? promises;
    if (!other || other.key === state.scope.key) return { type: 'ok', release: () => undefined, promised: undefined };
    const otherState = this.#scope(other);
    // A promise must leave the finals already expected there, all of them; a second write is urgent and takes what there is.
    const keep = alsoSpends ? undefined : { writes: this.#reserveOf(otherState), strict: true };
    const reservation = await this.#ledger.reserve(other, now, keep);
    if (!reservation.granted) return { type: 'short', reservation };
    if (alsoSpends) return { type: 'ok', release: (at) => reservation.release(at), promised: undefined };
    // Only a check: the token stays in the bucket, held for this stream by `promised` until it `expect`s its final.
    reservation.release(undefined);
    otherState.promised += 1;
    return { type: 'ok', release: () => undefined, promised: otherState };
  }

  /** Lets every waiting job that can go another way do so. Returns whether any did. */
  #overflow(state: ScopeState): boolean {
    let moved = false;
    for (const waiting of [...state.waiting]) {
      if (!waiting.job.overflow) continue;
      const index = state.waiting.indexOf(waiting);
      state.waiting.splice(index, 1);
      if (waiting.job.overflow()) moved = true;
      else if (!state.waiting.includes(waiting)) state.waiting.splice(index, 0, waiting);
    }
    return moved;
  }

  #retryIn(key: string, state: ScopeState, now: number, reservation: Reservation): void {
    // Infinity: one of our writes in flight holds the slot and pumps when it ends.
    if (!reservation.granted && Number.isFinite(reservation.retryInMs)) this.#wakeAt(key, state, now + Math.max(0, reservation.retryInMs));
  }

  /** When `next` may start as far as pacing goes: urgent writes at once, live ones a pacing interval after the last write. */
  #pacedUntil(state: ScopeState, next: Waiting): number {
    const priority = next.job.priority;
    if (urgent(priority)) return 0;
    const interval = paceMs(state.scope);
    const live = state.lastStart + interval;
    return priority === 'status' ? Math.max(live, state.lastStatusStart + 5 * interval) : live;
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

  #start(
    key: string,
    state: ScopeState,
    waiting: Waiting,
    slot: HeldSlot,
    extra: { release: (finishedAt: number | undefined) => void; promised: ScopeState | undefined },
  ): void {
    state.inFlight += 1;
    state.lastStart = this.#now();
    if (waiting.job.priority === 'status') state.lastStatusStart = state.lastStart;
    this.#onWrite?.(key);
    const ended = (finishedAt: number | undefined) => {
      state.inFlight -= 1;
      slot.release(finishedAt);
      extra.release(finishedAt);
      if (extra.promised) extra.promised.promised -= 1;
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
  #forgetWhenIdle(key: string, state: ScopeState, now: number): void {
    if (state.inFlight > 0 || state.expected > 0 || state.promised > 0) return;
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
