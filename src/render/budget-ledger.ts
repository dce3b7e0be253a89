/**
 * Who may write next in a rate scope. The `WriteScheduler` orders its own
 * queue (final writes first, the longest-waiting next, live edits paced) and
 * asks the ledger for a slot before each write; the ledger counts every write
 * in the scope. A slot is held from the reservation until `windowMs` after the
 * write finished, because the platform counts the write at some moment in between;
 * a paced scope (`RateScope.burst`) also takes a token from its bucket.
 *
 * `InProcessBudgetLedger` counts one process's writes (SQLite stores, tests);
 * `RedisBudgetLedger` (src/store) counts every instance sharing a Redis.
 */
import type { RateScope } from '../surface.ts';
import { type Bucket, cutShare, effectiveBudget, learnedShare } from './pacing.ts';

/** A granted slot. */
export interface HeldSlot {
  readonly granted: true;
  /**
   * The write ended at `finishedAt` (the caller's clock): the slot stays held
   * for `windowMs` more. `undefined`: nothing reached the platform's count (nothing
   * was written, or it answered 429), so the slot is free now and its token returns.
   */
  release(finishedAt: number | undefined): void;
}

export type Reservation =
  | HeldSlot
  /** The scope is full or paused; ask again in `retryInMs` (`Infinity`: when one of your own writes in flight ends). */
  | { readonly granted: false; readonly retryInMs: number };

/** What a reservation must leave free. */
export interface Keep {
  readonly writes: number;
  /**
   * A promise: leave all of it, even more than the scope holds. Otherwise (a live
   * write) a reserve larger than a paced scope's bucket leaves the write the tokens
   * that would overflow a full bucket: a final then waits one refill at most, never
   * a window. A windowed scope has no refill: its reserve is never taken.
   */
  readonly strict?: boolean;
}

/** How many slots or tokens a reservation must leave in a scope holding `capacity`, paced or windowed. */
export function keptOf(keep: Keep | undefined, capacity: number, paced: boolean): number {
  const writes = Math.max(0, keep?.writes ?? 0);
  return keep?.strict || !paced ? writes : Math.min(writes, capacity - 1);
}

export interface BudgetLedger {
  /**
   * Takes a slot in `scope` if one is free at `now` (the caller's clock) and taking
   * it leaves `keep.writes` more free (writes promised to others: finals, first
   * words). Never rejects.
   */
  reserve(scope: RateScope, now: number, keep?: Keep): Promise<Reservation>;
  /**
   * The platform answered 429 at `now`: nobody writes in `scope` for `forMs`, after
   * which one write may go (Retry-After is the platform's word); the scope's rate is
   * cut (src/render/pacing.ts `LEARNING`). Resolves once recorded (or given up on);
   * never rejects, so callers need not wait.
   */
  pause(scope: RateScope, now: number, forMs: number): Promise<void>;
}

interface ScopeCount {
  windowMs: number;
  inFlight: number;
  /** When recent writes finished, in order; each holds a slot until `windowMs` after. */
  readonly finished: number[];
  pausedUntil: number;
  /** A paced scope's bucket: `tokens` at `tokensAt` (in the future after a 429: one token once the pause ends). */
  tokens: number;
  tokensAt: number;
  /** The learned share of the budget: cut to `lowered` at `loweredAt` by a 429, recovering since. */
  lowered: number;
  loweredAt: number;
  /** How long an untouched bucket takes to fill from empty (0 for a window alone). */
  fillMs: number;
}

/** Counts the writes of this process only: the right ledger when one process writes to a scope. */
export class InProcessBudgetLedger implements BudgetLedger {
  readonly #scopes = new Map<string, ScopeCount>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  async reserve(scope: RateScope, now: number, keep?: Keep): Promise<Reservation> {
    const count = this.#count(scope, now);
    if (count.pausedUntil > now) return { granted: false, retryInMs: count.pausedUntil - now };
    const { limit, bucket } = effectiveBudget(scope, share(count, now));
    const used = count.inFlight + count.finished.length;
    // A paced scope keeps its reserve in the bucket; the window only guards against late landings.
    const windowKeep = bucket ? 0 : keptOf(keep, limit, false);
    if (used + 1 + windowKeep > limit) {
      // Full: the oldest finished writes free their slots, or running ones when they end.
      const freedBy = count.finished[used + windowKeep - limit];
      return { granted: false, retryInMs: freedBy === undefined ? Number.POSITIVE_INFINITY : freedBy + count.windowMs - now };
    }
    if (bucket) {
      const wanted = 1 + keptOf(keep, bucket.capacity, true);
      const tokens = level(count, bucket, now);
      if (tokens < wanted) return { granted: false, retryInMs: Math.max(1, Math.ceil((wanted - tokens) / bucket.perMs)) };
    }
    return this.hold(scope, now);
  }

  /** Takes a slot (and a token) even if the scope is full: for a write another ledger already granted. */
  hold(scope: RateScope, now: number): HeldSlot {
    const count = this.#count(scope, now);
    const { bucket } = effectiveBudget(scope, share(count, now));
    count.inFlight += 1;
    if (bucket) setLevel(count, level(count, bucket, now) - 1, now);
    let released = false;
    return {
      granted: true,
      release: (finishedAt) => {
        if (released) return;
        released = true;
        count.inFlight -= 1;
        if (finishedAt !== undefined) count.finished.push(finishedAt);
        // Refilling is linear, so a token given back counts the same at any reference time.
        else if (bucket) count.tokens = Math.min(bucket.capacity, count.tokens + 1);
      },
    };
  }

  async pause(scope: RateScope, now: number, forMs: number): Promise<void> {
    const count = this.#count(scope, now);
    const until = now + forMs;
    // Several writes in flight may meet the same 429: the rate is cut once per pause.
    if (count.pausedUntil <= now) {
      count.lowered = cutShare(share(count, now));
      count.loweredAt = now;
    }
    count.pausedUntil = Math.max(count.pausedUntil, until);
    // The platform had nothing left; when Retry-After has passed it takes one write.
    setLevel(count, 1, count.pausedUntil);
  }

  #count(scope: RateScope, now: number): ScopeCount {
    this.#sweep(now);
    let count = this.#scopes.get(scope.key);
    if (!count) {
      const full = effectiveBudget(scope, 1).bucket?.capacity ?? 0;
      count = { windowMs: scope.windowMs, inFlight: 0, finished: [], pausedUntil: 0, tokens: full, tokensAt: now, lowered: 1, loweredAt: now, fillMs: 0 };
      this.#scopes.set(scope.key, count);
    }
    // Budgets come with each request; the newest word on a scope wins.
    count.windowMs = scope.windowMs;
    const bucket = effectiveBudget(scope, 1).bucket;
    count.fillMs = bucket ? bucket.capacity / bucket.perMs : 0;
    dropExpired(count, now);
    return count;
  }

  /** Forgets idle scopes now and then, so channels seen once do not pile up. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, count] of this.#scopes) {
      dropExpired(count, now);
      // Idle: nothing counted, the bucket full again and no 429 still remembered; forgetting it loses nothing.
      const full = count.tokensAt + count.fillMs <= now && count.pausedUntil <= now;
      if (count.inFlight === 0 && count.finished.length === 0 && full && share(count, now) === 1) this.#scopes.delete(key);
    }
  }
}

function share(count: ScopeCount, now: number): number {
  return learnedShare(count.lowered, count.loweredAt, now, count.windowMs);
}

/** Tokens in the bucket at `now`. */
function level(count: ScopeCount, bucket: Bucket, now: number): number {
  return Math.min(bucket.capacity, count.tokens + (now - count.tokensAt) * bucket.perMs);
}

function setLevel(count: ScopeCount, tokens: number, at: number): void {
  count.tokens = tokens;
  count.tokensAt = at;
}

function dropExpired(count: ScopeCount, now: number): void {
  while (count.finished.length > 0 && (count.finished[0] ?? 0) + count.windowMs <= now) count.finished.shift();
}
