/**
 * Write budgets shared by every instance on one Redis, so that together they
 * stay under a platform's limit for a Slack workspace or a Discord channel. The
 * model is the in-process ledger's (src/render/budget-ledger.ts, pacing.ts), in Lua.
 *
 * Per scope, a sorted set holds one member per write. Its score is when the
 * write stops counting minus `windowMs`: while the write runs that is a lease
 * (`now + leaseMs`, so a crashed instance's writes free themselves), once it
 * finished it is the finish time. A reservation drops the members whose window
 * has passed, counts the rest and adds itself if the count is below the limit,
 * all in one Lua script so two instances cannot both take the last slot. A paced
 * scope (`RateScope.burst`) also keeps a token bucket in a hash (tokens, when,
 * and the share of its rate a 429 left it), taken from in the same script. A 429
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
 * The reserve a write must leave (`Keep`) is each instance's own: an instance
 * knows which finals its streams will need, not another's.
 *
 * Store failures must not stop answers: when Redis fails, the write is counted
 * by an in-process ledger instead (which also mirrors this instance's shared
 * writes, so it starts from what this instance already spent), the failure goes
 * to `onError`, and Redis is left alone for `fallbackMs` so a hung server does
 * not add a command timeout to every write.
 */
import { randomBytes } from 'node:crypto';
import { type BudgetLedger, type HeldSlot, InProcessBudgetLedger, type Keep, type Reservation } from '../render/budget-ledger.ts';
import { LEARNING } from '../render/pacing.ts';
import type { RateScope } from '../surface.ts';
import { withDeadline } from './deadline.ts';
import type { RedisClient } from './redis-client.ts';
import { type StoreError, toStoreError } from './store-error.ts';

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// ARGV[1..4] of every script: limit, windowMs, burst (0: none), then the script's own.
// Reads the scope's budget at the learned share of its rate (src/render/pacing.ts).
const BUDGET = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[3], 'tokens', 'at', 'lowered', 'loweredAt')
local lowered = tonumber(state[3] or '1')
local loweredAt = tonumber(state[4] or '0')
local share = math.min(1, lowered + ${LEARNING.recoveryPerWindow} * math.max(0, now - loweredAt) / window)
local paced = burst > 0 and burst < limit
local windowLimit = limit
local capacity = 0
local perMs = 0
if paced then
  capacity = math.max(1, math.floor(burst * share))
  perMs = (limit - burst) / window * share
else
  windowLimit = math.max(1, math.floor(limit * share))
end
local tokens = math.min(capacity, tonumber(state[1] or tostring(capacity)) + (now - tonumber(state[2] or tostring(now))) * perMs)
-- Kept until the bucket is full again and a 429's cut has worn off (ten windows).
local function keepBucket()
  local fill = 0
  if paced then fill = math.ceil(capacity / perMs) end
  redis.call('PEXPIRE', KEYS[3], math.max(1, fill + 10 * window))
end`;

// Keeps the set until its last member's window has passed.
const EXPIRE_WHEN_IDLE = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
if last then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last) + window - now)) end`;

// KEYS: writes, pause, bucket. ARGV: limit, windowMs, burst, leaseMs, member, pollMs, keep, strict ('1' or '0').
// Returns {1, 0} when the slot is ours, else {0, ms until asking again makes sense}.
const RESERVE = `${NOW_MS}
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if pausedUntil > now then return {0, pausedUntil - now} end
${BUDGET}
local pollMs = tonumber(ARGV[6])
-- As keptOf in src/render/budget-ledger.ts.
local function kept(held)
  local keep = tonumber(ARGV[7])
  if ARGV[8] == '1' or not paced then return keep end
  return math.min(keep, held - 1)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local windowKeep = 0
if not paced then windowKeep = kept(windowLimit) end
if used + 1 + windowKeep > windowLimit then
  -- The write whose window ending frees enough slots; finished writes sort before running ones.
  local freedBy = redis.call('ZRANGE', KEYS[1], used + windowKeep - windowLimit, used + windowKeep - windowLimit, 'WITHSCORES')[2]
  -- Held by a write still running somewhere (its end unknown), or not enough writes to free: look again soon.
  if not freedBy or tonumber(freedBy) > now then return {0, pollMs} end
  return {0, tonumber(freedBy) + window - now}
end
if paced then
  local wanted = 1 + kept(capacity)
  if tokens < wanted then return {0, math.max(1, math.ceil((wanted - tokens) / perMs))} end
  redis.call('HSET', KEYS[3], 'tokens', tostring(tokens - 1), 'at', tostring(now))
  keepBucket()
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[5])
${EXPIRE_WHEN_IDLE}
return {1, 0}`;

// KEYS: writes, pause, bucket. ARGV: limit, windowMs, burst, member, wrote ('1' or '0').
// A write that reached nothing (not written, or refused with 429) gives its slot and token back.
const RELEASE = `${NOW_MS}
${BUDGET}
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
else
  redis.call('ZREM', KEYS[1], ARGV[4])
  if paced and redis.call('EXISTS', KEYS[3]) == 1 then
    -- Refilling is linear, so a token given back counts the same at any reference time.
    redis.call('HSET', KEYS[3], 'tokens', tostring(math.min(capacity, tonumber(state[1] or '0') + 1)))
  end
end
${EXPIRE_WHEN_IDLE}
return 1`;

// KEYS: writes, pause, bucket. ARGV: limit, windowMs, burst, forMs.
// A longer pause already set stays; the rate is cut once per pause; one write may go when it ends.
const PAUSE = `${NOW_MS}
${BUDGET}
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local untilMs = now + tonumber(ARGV[4])
if current <= now then
  redis.call('HSET', KEYS[3], 'lowered', tostring(math.max(${LEARNING.floor}, share * ${LEARNING.cut})), 'loweredAt', tostring(now))
end
if current < untilMs then
  redis.call('SET', KEYS[2], untilMs, 'PX', math.max(1, tonumber(ARGV[4])))
end
redis.call('HSET', KEYS[3], 'tokens', '1', 'at', tostring(math.max(current, untilMs)))
keepBucket()
return 1`;

export interface RedisBudgetLedgerOptions {
  /** Key prefix; scope `k` lives at `${prefix}{k}`, `${prefix}{k}::pause` and `${prefix}{k}::bucket`. */
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

  async reserve(scope: RateScope, now: number, keep?: Keep): Promise<Reservation> {
    if (this.#now() < this.#redisDownUntil) return this.#local.reserve(scope, now, keep);
    const member = `${this.#instance}:${this.#sequence++}`;
    const limit = Math.max(1, scope.limit);
    const pollMs = Math.max(1, Math.ceil(scope.windowMs / limit));
    // The script caps a live write's reserve itself: the cap depends on the learned capacity.
    const args = [...this.#budgetArgs(scope), String(this.#leaseMs), member, String(pollMs), String(Math.max(0, keep?.writes ?? 0)), keep?.strict ? '1' : '0'];
    let reply: unknown;
    try {
      reply = await this.#eval(RESERVE, this.#keys(scope), args, 'budget.reserve');
    } catch (err) {
      this.#failed(err, 'budget.reserve');
      return this.#local.reserve(scope, now, keep);
    }
    const [granted, retryInMs] = Array.isArray(reply) ? reply.map(Number) : [];
    if (granted !== 1) return { granted: false, retryInMs: Math.max(1, retryInMs ?? pollMs) };
    return this.#shared(scope, now, member);
  }

  async pause(scope: RateScope, now: number, forMs: number): Promise<void> {
    // Here first: should Redis fail, this instance still waits.
    await this.#local.pause(scope, now, forMs);
    if (this.#now() < this.#redisDownUntil) return;
    try {
      await this.#eval(PAUSE, this.#keys(scope), [...this.#budgetArgs(scope), String(Math.max(1, Math.ceil(forMs)))], 'budget.pause');
    } catch (err) {
      this.#failed(err, 'budget.pause');
    }
  }

  /** A slot Redis granted, mirrored in the in-process ledger so a Redis outage starts from what was spent. */
  #shared(scope: RateScope, now: number, member: string): HeldSlot {
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
        this.#eval(RELEASE, this.#keys(scope), [...this.#budgetArgs(scope), member, wrote], 'budget.release').catch((err: unknown) =>
          this.#failed(err, 'budget.release'),
        );
      },
    };
  }

  /** ARGV[1..3] of every script: the scope's budget. */
  #budgetArgs(scope: RateScope): string[] {
    return [String(Math.max(1, scope.limit)), String(scope.windowMs), String(scope.burst ?? 0)];
  }

  /** The scope's writes, pause and bucket. */
  #keys(scope: RateScope): string[] {
    // The hash tag keeps every key of a scope in one Redis Cluster slot, as a script needs.
    const writes = `${this.#prefix}{${scope.key}}`;
    return [writes, `${writes}::pause`, `${writes}::bucket`];
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
