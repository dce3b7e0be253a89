/**
 * Write budgets shared by every instance on one Redis, so that together they
 * stay under a platform's limit for a Slack workspace or a Discord channel.
 *
 * Per scope, a sorted set holds one member per write. Its score is when the
 * write stops counting minus `windowMs`: while the write runs that is a lease
 * (`now + leaseMs`, so a crashed instance's writes free themselves), once it
 * finished it is the finish time. A reservation drops the members whose window
 * has passed, counts the rest and adds itself if the count is below the limit,
 * all in one Lua script so two instances cannot both take the last slot. A 429
 * seen by one instance is a string key holding the pause's end, read by the same
 * script. Every key gets a PEXPIRE, so idle scopes vanish.
 *
 * Time is Redis's (`TIME` inside the scripts), not the callers': scores written
 * by one instance are compared with clocks read by others, and one clock cannot
 * disagree with itself, whereas instances' clocks may drift apart by more than a
 * window's worth of slack. So only durations cross the wire (lease, window,
 * pause length, retry-in), and a release is stamped when Redis runs it, at most
 * one round trip after the write ended: the slot is held slightly long, never short.
 *
 * Store failures must not stop answers: when Redis fails, the write is counted
 * by an in-process ledger instead (which also mirrors this instance's shared
 * writes, so it starts from what this instance already spent), the failure goes
 * to `onError`, and Redis is left alone for `fallbackMs` so a hung server does
 * not add a command timeout to every write.
 */
import { randomBytes } from 'node:crypto';
import { type BudgetLedger, type HeldSlot, InProcessBudgetLedger, type Reservation } from '../render/budget-ledger.ts';
import type { RateScope } from '../surface.ts';
import { withDeadline } from './deadline.ts';
import type { RedisClient } from './redis-client.ts';
import { type StoreError, toStoreError } from './store-error.ts';

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Keeps the set until its last member's window has passed.
const EXPIRE_WHEN_IDLE = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
if last then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last) + window - now)) end`;

// KEYS: writes, pause. ARGV: limit, windowMs, leaseMs, member, pollMs.
// Returns {1, 0} when the slot is ours, else {0, ms until asking again makes sense}.
const RESERVE = `${NOW_MS}
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if pausedUntil > now then return {0, pausedUntil - now} end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
  ${EXPIRE_WHEN_IDLE}
  return {1, 0}
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
-- Every slot is held by a write still running somewhere: its end is unknown, look again soon.
if oldest > now then return {0, tonumber(ARGV[5])} end
return {0, oldest + window - now}`;

// KEYS: writes. ARGV: member, windowMs, wrote ('1' or '0').
const RELEASE = `${NOW_MS}
local window = tonumber(ARGV[2])
if ARGV[3] == '1' then redis.call('ZADD', KEYS[1], now, ARGV[1]) else redis.call('ZREM', KEYS[1], ARGV[1]) end
${EXPIRE_WHEN_IDLE}
return 1`;

// KEYS: pause. ARGV: forMs. A longer pause already set stays.
const PAUSE = `${NOW_MS}
local untilMs = now + tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < untilMs then
  redis.call('SET', KEYS[1], untilMs, 'PX', math.max(1, tonumber(ARGV[1])))
end
return 1`;

export interface RedisBudgetLedgerOptions {
  /** Key prefix; scope `k` lives at `${prefix}{k}` and `${prefix}{k}::pause`. */
  readonly prefix?: string;
  /** Deadline of each Redis round trip. */
  readonly commandTimeoutMs?: number;
  /** Longest a write may count as running; after it a crashed instance's slot frees itself. */
  readonly leaseMs?: number;
  /** After a Redis failure, how long writes are counted in process before Redis is tried again. */
  readonly fallbackMs?: number;
  /** Redis failures: each one meant a write was counted by this instance alone. */
  readonly onError?: (err: StoreError) => void;
  /** Clock for when to try Redis again after a failure. */
  readonly now?: () => number;
}

export class RedisBudgetLedger implements BudgetLedger {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #leaseMs: number;
  readonly #fallbackMs: number;
  readonly #onError: (err: StoreError) => void;
  readonly #now: () => number;
  readonly #local = new InProcessBudgetLedger();
  readonly #instance = randomBytes(8).toString('hex');
  #sequence = 0;
  #redisDownUntil = Number.NEGATIVE_INFINITY;

  constructor(client: RedisClient, opts: RedisBudgetLedgerOptions = {}) {
    this.#client = client;
    this.#prefix = opts.prefix ?? 'budget::';
    this.#timeoutMs = opts.commandTimeoutMs ?? 2000;
    this.#leaseMs = opts.leaseMs ?? 60_000;
    this.#fallbackMs = opts.fallbackMs ?? 1000;
    this.#onError = opts.onError ?? (() => {});
    this.#now = opts.now ?? Date.now;
  }

  async reserve(scope: RateScope, now: number): Promise<Reservation> {
    if (this.#now() < this.#redisDownUntil) return this.#local.reserve(scope, now);
    const member = `${this.#instance}:${this.#sequence++}`;
    const { writes, pause } = this.#keys(scope);
    const limit = Math.max(1, scope.limit);
    const pollMs = Math.max(1, Math.ceil(scope.windowMs / limit));
    let reply: unknown;
    try {
      reply = await this.#eval(RESERVE, [writes, pause], [String(limit), String(scope.windowMs), String(this.#leaseMs), member, String(pollMs)], 'budget.reserve');
    } catch (err) {
      this.#failed(err, 'budget.reserve');
      return this.#local.reserve(scope, now);
    }
    const [granted, retryInMs] = Array.isArray(reply) ? reply.map(Number) : [];
    if (granted !== 1) return { granted: false, retryInMs: Math.max(1, retryInMs ?? pollMs) };
    return this.#shared(scope, now, writes, member);
  }

  async pause(scope: RateScope, now: number, forMs: number): Promise<void> {
    // Here first: should Redis fail, this instance still waits.
    await this.#local.pause(scope, now, forMs);
    if (this.#now() < this.#redisDownUntil) return;
    try {
      await this.#eval(PAUSE, [this.#keys(scope).pause], [String(Math.max(1, Math.ceil(forMs)))], 'budget.pause');
    } catch (err) {
      this.#failed(err, 'budget.pause');
    }
  }

  /** A slot Redis granted, mirrored in the in-process ledger so a Redis outage starts from what was spent. */
  #shared(scope: RateScope, now: number, writes: string, member: string): HeldSlot {
    const mirror = this.#local.hold(scope, now);
    let released = false;
    return {
      granted: true,
      release: (finishedAt) => {
        if (released) return;
        released = true;
        mirror.release(finishedAt);
        const wrote = finishedAt === undefined ? '0' : '1';
        // Failing, the member keeps its lease and frees itself after `leaseMs + windowMs`.
        this.#eval(RELEASE, [writes], [member, String(scope.windowMs), wrote], 'budget.release').catch((err: unknown) =>
          this.#failed(err, 'budget.release'),
        );
      },
    };
  }

  #keys(scope: RateScope): { writes: string; pause: string } {
    // The hash tag keeps both keys of a scope in one Redis Cluster slot, as a script needs.
    const writes = `${this.#prefix}{${scope.key}}`;
    return { writes, pause: `${writes}::pause` };
  }

  #failed(err: unknown, operation: string): void {
    this.#redisDownUntil = this.#now() + this.#fallbackMs;
    this.#onError(toStoreError(err, operation));
  }

  async #eval(script: string, keys: string[], args: string[], operation: string): Promise<unknown> {
    try {
      return await withDeadline(this.#client.eval(script, { keys, arguments: args }), this.#timeoutMs, operation);
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }
}
