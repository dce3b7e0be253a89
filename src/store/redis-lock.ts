/**
 * Locks shared by every process on one Redis.
 *
 * The lock is a string key holding a random owner token, set with `SET NX PX`
 * semantics so a crashed holder's lock expires after `ttlMs`. A live holder
 * renews it every ttl/3 with a compare-and-pexpire script, and releases it
 * with compare-and-delete, so a holder whose lock already expired cannot
 * renew or delete the next holder's (redis.io/docs/latest/develop/use/patterns/distributed-locks).
 *
 * Fairness: waiters join a per-key queue (a sorted set ordered by arrival,
 * plus a hash of heartbeat deadlines so a waiter that crashed is skipped).
 * A free lock goes only to the head of the queue. Waiters poll with
 * exponential backoff; pub/sub would need a second connection per store.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis-client.ts';
import { type Lock, type LockAcquireOptions, LockLostError, type LockManager } from './lock.ts';
import { withDeadline } from './deadline.ts';
import { type StoreError, toStoreError } from './store-error.ts';

// KEYS: lock, queue, heartbeats. ARGV: token, ttlMs, waiterTtlMs, join queue ('1'/'0').
// Returns 1 when the lock is now ours.
const ACQUIRE = `
local t = redis.call('TIME')
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nowMs = math.floor(nowUs / 1000)
local token = ARGV[1]
local holder = redis.call('GET', KEYS[1])
if holder == token then return 1 end
local head
while true do
  head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not head or head == token then break end
  local alive = tonumber(redis.call('HGET', KEYS[3], head) or '0')
  if alive > nowMs then break end
  redis.call('ZREM', KEYS[2], head)
  redis.call('HDEL', KEYS[3], head)
end
if not holder and (not head or head == token) then
  redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
  redis.call('ZREM', KEYS[2], token)
  redis.call('HDEL', KEYS[3], token)
  return 1
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[2], 'NX', nowUs, token)
  redis.call('HSET', KEYS[3], token, nowMs + tonumber(ARGV[3]))
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return 0`;

// KEYS: queue, heartbeats. ARGV: token. A waiter that gave up leaves the queue.
const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

// KEYS: lock. ARGV: token, ttlMs.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

// KEYS: lock. ARGV: token.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisLockManagerOptions {
  /** Key prefix; the lock for `k` lives at `${prefix}k`. */
  readonly prefix?: string;
  /** Deadline of each Redis round trip. */
  readonly commandTimeoutMs?: number;
  /** Longest pause between two tries of a waiter. */
  readonly maxPollMs?: number;
  /** Failures nobody awaits (renewal, release), for the caller to log. */
  readonly onError?: (err: StoreError) => void;
}

export class RedisLockManager implements LockManager {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #maxPollMs: number;
  readonly #timeoutMs: number;
  readonly #onError: (err: StoreError) => void;
  readonly #held = new Set<RedisLock>();

  constructor(client: RedisClient, opts: RedisLockManagerOptions = {}) {
    this.#client = client;
    this.#prefix = opts.prefix ?? 'lock::';
    this.#maxPollMs = opts.maxPollMs ?? 100;
    this.#timeoutMs = opts.commandTimeoutMs ?? 2000;
    this.#onError = opts.onError ?? (() => {});
  }

  async acquire(key: string, opts: LockAcquireOptions): Promise<Lock | undefined> {
    opts.signal.throwIfAborted();
    const lockKey = `${this.#prefix}${key}`;
    const queueKeys = [`${lockKey}::queue`, `${lockKey}::waiting`];
    const token = randomBytes(16).toString('hex');
    const ttlMs = Math.max(1, Math.ceil(opts.ttlMs));
    const pollCapMs = Math.max(5, Math.min(this.#maxPollMs, ttlMs / 3));
    // A waiter's heartbeat outlives many polls, so only a waiter that stopped polling is skipped.
    const waiterTtlMs = Math.max(2000, pollCapMs * 20);
    const deadline = opts.waitMs === undefined ? Infinity : performance.now() + opts.waitMs;
    let pollMs = 5;
    let queued = false;
    try {
      for (;;) {
        const joinQueue = opts.waitMs !== 0;
        // Before the request: the key's ttl runs from some moment after this, never before.
        const sentAt = performance.now();
        const won = await this.#eval(ACQUIRE, [lockKey, ...queueKeys], [token, String(ttlMs), String(waiterTtlMs), joinQueue ? '1' : '0'], 'lock.acquire');
        if (won === 1) {
          queued = false;
          const lock = new RedisLock(this, lockKey, token, ttlMs, sentAt);
          this.#held.add(lock);
          return lock;
        }
        queued = joinQueue;
        const left = deadline - performance.now();
        if (left <= 0) return undefined;
        await pause(Math.min(pollMs, left), opts.signal);
        pollMs = Math.min(pollMs * 2, pollCapMs);
      }
    } finally {
      if (queued) {
        this.#eval(LEAVE, queueKeys, [token], 'lock.leave-queue').catch((err: unknown) => this.#onError(toStoreError(err, 'lock.leave-queue')));
      }
    }
  }

  /** Stops renewing and releases every lock still held, as a clean shutdown should. */
  async close(): Promise<void> {
    await Promise.all([...this.#held].map((lock) => lock.release()));
  }

  /** @internal used by RedisLock */
  async renew(lock: RedisLock): Promise<boolean> {
    return (await this.#eval(RENEW, [lock.lockKey], [lock.token, String(lock.ttlMs)], 'lock.renew')) === 1;
  }

  /** @internal used by RedisLock */
  async drop(lock: RedisLock): Promise<void> {
    this.#held.delete(lock);
    try {
      await this.#eval(RELEASE, [lock.lockKey], [lock.token], 'lock.release');
    } catch (err) {
      this.#onError(toStoreError(err, 'lock.release'));
    }
  }

  /** @internal used by RedisLock */
  reportError(err: StoreError): void {
    this.#onError(err);
  }

  async #eval(script: string, keys: string[], args: string[], operation: string): Promise<unknown> {
    try {
      return await withDeadline(this.#client.eval(script, { keys, arguments: args }), this.#timeoutMs, operation);
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }
}

class RedisLock implements Lock {
  readonly lockKey: string;
  readonly token: string;
  readonly ttlMs: number;
  readonly #manager: RedisLockManager;
  readonly #timer: NodeJS.Timeout;
  readonly #lost = new AbortController();
  /** Fires when the key may have expired: `ttlMs` after the last renewal known to have landed was sent. */
  #expiry: NodeJS.Timeout;
  #released = false;

  constructor(manager: RedisLockManager, lockKey: string, token: string, ttlMs: number, acquiredAt: number) {
    this.#manager = manager;
    this.lockKey = lockKey;
    this.token = token;
    this.ttlMs = ttlMs;
    this.#timer = setInterval(() => this.#renew(), Math.max(1, Math.floor(ttlMs / 3)));
    // A lock must not keep a process alive that has nothing else to do.
    this.#timer.unref();
    this.#expiry = this.#expireAt(acquiredAt);
  }

  get lost(): boolean {
    return this.#lost.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.#lost.signal;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#stopTimers();
    await this.#manager.drop(this);
  }

  #renew(): void {
    const startedAt = performance.now();
    this.#manager.renew(this).then(
      (stillOurs) => {
        if (this.#released || this.lost) return;
        if (!stillOurs) return this.#markLost('the lock is held by someone else');
        clearTimeout(this.#expiry);
        this.#expiry = this.#expireAt(startedAt);
      },
      (err: unknown) => {
        if (this.#released) return;
        // Unreachable Redis: the expiry timer says when the key may be gone.
        this.#manager.reportError(toStoreError(err, 'lock.renew'));
      },
    );
  }

  /**
   * The key expires `ttlMs` after Redis ran the last renewal, which was after `renewedAt`:
   * from then on another instance may hold it. Renewals that keep failing (Redis down or
   * paused) do not move this, so the holder learns it lost the lock no later than the
   * moment someone else could take it.
   */
  #expireAt(renewedAt: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.#markLost('the lock expired: renewals failed for longer than its ttl'), Math.max(0, renewedAt + this.ttlMs - performance.now()));
    timer.unref();
    return timer;
  }

  #markLost(why: string): void {
    if (this.lost) return;
    this.#stopTimers();
    this.#lost.abort(new LockLostError(this.lockKey, why));
  }

  #stopTimers(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#expiry);
  }
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  // The signal may have fired while a Redis round trip was in flight: its abort event is gone.
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
