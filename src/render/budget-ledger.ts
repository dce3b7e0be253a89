/**
 * Who may write next in a rate scope. The `WriteScheduler` orders its own
 * queue (final writes first, the longest-waiting next, live edits paced) and
 * asks the ledger for a slot before each write; the ledger counts every write
 * in the scope. A slot is held from the reservation until `windowMs` after the
 * write finished, because the platform counts the write at some moment in between.
 *
 * `InProcessBudgetLedger` counts one process's writes (SQLite stores, tests);
 * `RedisBudgetLedger` (src/store) counts every instance sharing a Redis.
 */
import type { RateScope } from '../surface.ts';

/** A granted slot. */
export interface HeldSlot {
  readonly granted: true;
  /**
   * The write ended at `finishedAt` (the caller's clock): the slot stays held
   * for `windowMs` more. `undefined`: nothing was written, the slot is free now.
   */
  release(finishedAt: number | undefined): void;
}

export type Reservation =
  | HeldSlot
  /** The scope is full or paused; ask again in `retryInMs` (`Infinity`: when one of your own writes in flight ends). */
  | { readonly granted: false; readonly retryInMs: number };

export interface BudgetLedger {
  /** Takes a slot in `scope` if one is free at `now` (the caller's clock). Never rejects. */
  reserve(scope: RateScope, now: number): Promise<Reservation>;
  /**
   * The platform answered 429 at `now`: nobody writes in `scope` for `forMs`.
   * Resolves once recorded (or given up on); never rejects, so callers need not wait.
   */
  pause(scope: RateScope, now: number, forMs: number): Promise<void>;
}

interface ScopeCount {
  windowMs: number;
  inFlight: number;
  /** When recent writes finished, in order; each holds a slot until `windowMs` after. */
  readonly finished: number[];
  pausedUntil: number;
}

/** Counts the writes of this process only: the right ledger when one process writes to a scope. */
export class InProcessBudgetLedger implements BudgetLedger {
  readonly #scopes = new Map<string, ScopeCount>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  async reserve(scope: RateScope, now: number): Promise<Reservation> {
    const count = this.#count(scope, now);
    if (count.pausedUntil > now) return { granted: false, retryInMs: count.pausedUntil - now };
    if (count.inFlight + count.finished.length >= Math.max(1, scope.limit)) {
      // Full: the oldest finished write frees a slot, or a running one when it ends.
      const oldest = count.finished[0];
      return { granted: false, retryInMs: oldest === undefined ? Number.POSITIVE_INFINITY : oldest + count.windowMs - now };
    }
    return this.hold(scope, now);
  }

  /** Takes a slot even if the scope is full: for a write another ledger already granted. */
  hold(scope: RateScope, now: number): HeldSlot {
    const count = this.#count(scope, now);
    count.inFlight += 1;
    let released = false;
    return {
      granted: true,
      release: (finishedAt) => {
        if (released) return;
        released = true;
        count.inFlight -= 1;
        if (finishedAt !== undefined) count.finished.push(finishedAt);
      },
    };
  }

  async pause(scope: RateScope, now: number, forMs: number): Promise<void> {
    const count = this.#count(scope, now);
    count.pausedUntil = Math.max(count.pausedUntil, now + forMs);
  }

  #count(scope: RateScope, now: number): ScopeCount {
    this.#sweep(now);
    let count = this.#scopes.get(scope.key);
    if (!count) {
      count = { windowMs: scope.windowMs, inFlight: 0, finished: [], pausedUntil: 0 };
      this.#scopes.set(scope.key, count);
    }
    // Budgets come with each request; the newest word on a scope wins.
    count.windowMs = scope.windowMs;
    dropExpired(count, now);
    return count;
  }

  /** Forgets idle scopes now and then, so channels seen once do not pile up. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, count] of this.#scopes) {
      dropExpired(count, now);
      if (count.inFlight === 0 && count.finished.length === 0 && count.pausedUntil <= now) this.#scopes.delete(key);
    }
  }
}

function dropExpired(count: ScopeCount, now: number): void {
  while (count.finished.length > 0 && (count.finished[0] ?? 0) + count.windowMs <= now) count.finished.shift();
}
