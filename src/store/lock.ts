/**
 * Mutual exclusion per key (one answer per thread at a time), across one
 * process (SQLite) or every process sharing a Redis (`redis-lock.ts`).
 */

export interface Lock {
  /** Gives the lock up; resolves even if the backend is down (the lock then expires by its ttl). */
  release(): Promise<void>;
  /** True once the lock can no longer be trusted to be ours (it expired, or the backend gave it to someone else). */
  readonly lost: boolean;
  /**
   * Aborts, with a `LockLostError`, the moment the lock is lost: whatever it protects
   * must stop, because someone else may hold it now. Never aborts for a lock that
   * cannot be lost (one process) nor after `release`.
   */
  readonly signal: AbortSignal;
}

/** The reason a lock's `signal` aborts: the lock expired or went to someone else while held. */
export class LockLostError extends Error {
  override name = 'LockLostError';
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

export interface LockAcquireOptions {
  /**
   * How long the lock outlives a holder that stops renewing it (a crash). A
   * live holder keeps it as long as it wants; in one process it never expires.
   */
  readonly ttlMs: number;
  /** Aborting stops waiting: `acquire` rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** How long to wait for a busy lock; omitted, until `signal` aborts; 0, not at all. */
  readonly waitMs?: number;
}

export interface LockManager {
  /** The lock, or undefined when someone else held it for all of `waitMs`. Waiters are served first come, first served. */
  acquire(key: string, opts: LockAcquireOptions): Promise<Lock | undefined>;
}

interface Waiter {
  grant(lock: Lock): void;
}

interface KeyState {
  queue: Waiter[];
}

/**
 * Locks for a single process: a FIFO queue per key, handed over directly on
 * release. The ttl is not needed here: if the process dies its locks die with it.
 */
export class InProcessLockManager implements LockManager {
  /** Keys currently held; a key is absent when free and nobody waits. */
  readonly #held = new Map<string, KeyState>();

  async acquire(key: string, opts: LockAcquireOptions): Promise<Lock | undefined> {
    opts.signal.throwIfAborted();
    const state = this.#held.get(key);
    if (state === undefined) {
      this.#held.set(key, { queue: [] });
      return this.#lockFor(key);
    }
    if (opts.waitMs === 0) return undefined;
    return new Promise<Lock | undefined>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        const at = state.queue.indexOf(waiter);
        if (at >= 0) state.queue.splice(at, 1);
      };
      const waiter: Waiter = {
        grant: (lock) => {
          leave();
          resolve(lock);
        },
      };
      const onAbort = () => {
        leave();
        reject(opts.signal.reason);
      };
      const timer =
        opts.waitMs === undefined
          ? undefined
          : setTimeout(() => {
              leave();
              resolve(undefined);
            }, opts.waitMs);
      opts.signal.addEventListener('abort', onAbort, { once: true });
      state.queue.push(waiter);
    });
  }

  #lockFor(key: string): Lock {
    let released = false;
    return {
      lost: false,
      // A process's own lock ends only with the process: it is never lost.
      signal: new AbortController().signal,
      release: async () => {
        if (released) return;
        released = true;
        const state = this.#held.get(key);
        const next = state?.queue.shift();
        if (next === undefined) this.#held.delete(key);
        else next.grant(this.#lockFor(key));
      },
    };
  }
}
