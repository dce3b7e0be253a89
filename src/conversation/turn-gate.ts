/**
 * One turn at a time per conversation. A message that arrives while an answer
 * streams waits its turn; past `maxWaiting` waiters it is turned away as busy.
 * Other conversations are never delayed. The lock itself comes from the store
 * (in-process for SQLite, Redis for several instances), so the order holds
 * across instances too.
 */
import type { Lock, LockManager } from '../store/lock.ts';

/** A turn's lock lives this long without renewal; the holder renews it while streaming. */
const LOCK_TTL_MS = 60_000;

export interface TurnGateOptions {
  /** How long a turn's lock outlives a holder that stops renewing it (default 60 s). */
  readonly lockTtlMs?: number;
}
/** Longest a waiting message waits for the turn before it is answered as busy. */
const MAX_WAIT_MS = 10 * 60_000;

export class TurnGate {
  readonly #locks: LockManager;
  readonly #maxWaiting: number;
  readonly #lockTtlMs: number;
  /** Per conversation: the turn in progress here plus those waiting behind it. */
  readonly #queued = new Map<string, number>();

  constructor(locks: LockManager, maxWaiting: number, opts: TurnGateOptions = {}) {
    this.#locks = locks;
    this.#maxWaiting = maxWaiting;
    this.#lockTtlMs = opts.lockTtlMs ?? LOCK_TTL_MS;
  }

  /**
   * The conversation's turn, or `busy` when too many wait or the wait ran out. Release it
   * when done. Its `signal` aborts if the lock is lost mid-turn (see `Lock.signal`).
   */
  async enter(conversationId: string, signal: AbortSignal): Promise<Lock | 'busy'> {
    const queued = this.#queued.get(conversationId) ?? 0;
    if (queued > this.#maxWaiting) return 'busy';
    this.#queued.set(conversationId, queued + 1);
    let lock: Lock | undefined;
    try {
      lock = await this.#locks.acquire(`turn:${conversationId}`, { ttlMs: this.#lockTtlMs, signal, waitMs: MAX_WAIT_MS });
    } finally {
      if (!lock) this.#leave(conversationId);
    }
    if (!lock) return 'busy';
    const held = lock;
    return {
      get lost() {
        return held.lost;
      },
      signal: held.signal,
      release: async () => {
        this.#leave(conversationId);
        await held.release();
      },
    };
  }

  #leave(conversationId: string): void {
    const left = (this.#queued.get(conversationId) ?? 1) - 1;
    if (left <= 0) this.#queued.delete(conversationId);
    else this.#queued.set(conversationId, left);
  }
}
