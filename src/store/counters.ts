/**
 * Counters shared by every instance on the store, for token quotas: atomic
 * increments with an expiry, never a read-modify-write, so two instances adding
 * at once both count. A counter is a number under a key; a ranking is a set of
 * members with a number each (who spent most today). Both read as 0 or empty
 * once expired. SQLite keeps them in a table of their own in one transaction
 * (sqlite-counters.ts); Redis with INCRBY and ZINCRBY plus PEXPIREAT in one
 * script (redis-counters.ts).
 */

/** One atomic addition: the same amount to every counter and to a member of every ranking. */
export interface CounterAddition {
  readonly counters: readonly string[];
  readonly rankings: readonly { readonly key: string; readonly member: string }[];
  /** A whole number; what is added to each. */
  readonly amount: number;
  /** When every key touched expires (ms since the epoch). */
  readonly expiresAt: number;
}

export interface RankedMember {
  readonly member: string;
  readonly amount: number;
}

export interface Counters {
  /** Adds `amount` to all of `addition`'s counters and ranking members at once. Rejects with `StoreError`. */
  add(addition: CounterAddition): Promise<void>;
  /** The counters' values, in order; 0 for a counter never added to, or expired. Rejects with `StoreError`. */
  read(keys: readonly string[]): Promise<number[]>;
  /** The `limit` members of a ranking with the highest amounts, highest first. Rejects with `StoreError`. */
  top(ranking: string, limit: number): Promise<RankedMember[]>;
}
