/**
 * The arithmetic of a `RateScope`'s budget, shared by the ledgers that count
 * writes (in process, and the Lua in src/store/redis-budget-ledger.ts, which
 * mirrors it) and the scheduler that paces live writes.
 */
import type { RateScope } from '../surface.ts';

/** A paced scope's token bucket: `capacity` writes at once, refilled at `perMs` writes per millisecond. */
export interface Bucket {
  readonly capacity: number;
  readonly perMs: number;
}

/**
 * The token bucket of a paced scope (one with a `burst` below its limit), or
 * undefined for a sliding window alone. The refill is what the burst leaves of
 * the limit, so burst and refill together never exceed `limit` in any window.
 */
export function bucketOf(scope: RateScope): Bucket | undefined {
  const { burst, limit, windowMs } = scope;
  if (burst === undefined || burst >= limit) return undefined;
  return { capacity: Math.max(1, burst), perMs: (limit - Math.max(1, burst)) / windowMs };
}

/** How far apart live writes in a scope go: the bucket's refill, or the window's even share. */
export function paceMs(scope: RateScope): number {
  const bucket = bucketOf(scope);
  return bucket ? 1 / bucket.perMs : scope.windowMs / Math.max(1, scope.limit);
}

/**
 * What a 429 teaches: the platform's budget for the scope is smaller than the
 * scope says (another app shares it, or the platform counts more strictly). Each
 * 429 takes a quarter off the scope's rate, never below a quarter of it; the rate
 * comes back by a tenth per window without a 429.
 */
export const LEARNING = { cut: 0.75, floor: 0.25, recoveryPerWindow: 0.1 } as const;

/** The share of its budget a scope may use at `now`, given its rate was cut to `lowered` at `loweredAt`. */
export function learnedShare(lowered: number, loweredAt: number, now: number, windowMs: number): number {
  return Math.min(1, lowered + (LEARNING.recoveryPerWindow * Math.max(0, now - loweredAt)) / windowMs);
}

/** The share after one more 429 at a share of `share`. */
export function cutShare(share: number): number {
  return Math.max(LEARNING.floor, share * LEARNING.cut);
}

/** The budget a scope has at a learned `share`: its window's limit, and its bucket when paced. */
export function effectiveBudget(scope: RateScope, share: number): { limit: number; bucket: Bucket | undefined } {
  const bucket = bucketOf(scope);
  if (!bucket) return { limit: Math.max(1, Math.floor(scope.limit * share)), bucket: undefined };
  // The window stays the documented one: it only guards against writes that land late.
  return { limit: scope.limit, bucket: { capacity: Math.max(1, Math.floor(bucket.capacity * share)), perMs: bucket.perMs * share } };
}
