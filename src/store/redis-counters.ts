/**
 * `Counters` on Redis: a counter is a string key (INCRBY), a ranking a sorted
 * set (ZINCRBY), and one addition is one Lua script, so every instance's
 * additions land whole and none is lost to a read-modify-write race. Each key
 * touched gets PEXPIREAT in the same script: a day's counters vanish by
 * themselves. Keys use the store's `namespace::key` layout.
 */
import type { CounterAddition, Counters, RankedMember } from './counters.ts';
import { withDeadline } from './deadline.ts';
import type { RedisClient } from './redis-client.ts';
import { toStoreError } from './store-error.ts';

// KEYS: the counters, then the rankings. ARGV: amount, expires at (ms), number of counters, then one member per ranking.
const ADD = `
local amount = ARGV[1]
local counters = tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  if i <= counters then
    redis.call('INCRBY', key, amount)
  else
    redis.call('ZINCRBY', key, amount, ARGV[3 + i - counters])
  end
  redis.call('PEXPIREAT', key, ARGV[2])
end
return 1`;

export interface RedisCountersOptions {
  readonly commandTimeoutMs: number;
  readonly namespace?: string;
  readonly assertOpen?: () => void;
}

export class RedisCounters implements Counters {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #opts: RedisCountersOptions;

  constructor(client: RedisClient, opts: RedisCountersOptions) {
    this.#client = client;
    this.#prefix = `${opts.namespace ?? 'counters'}::`;
    this.#opts = opts;
  }

  async add(addition: CounterAddition): Promise<void> {
    const keys = [...addition.counters, ...addition.rankings.map((r) => r.key)].map((key) => this.#prefix + key);
    if (keys.length === 0) return;
    const args = [String(Math.round(addition.amount)), String(Math.round(addition.expiresAt)), String(addition.counters.length), ...addition.rankings.map((r) => r.member)];
    await this.#run('counters.add', () => this.#client.eval(ADD, { keys, arguments: args }));
  }

  async read(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const values = await this.#run('counters.read', () => this.#client.mGet(keys.map((key) => this.#prefix + key)));
    return values.map((value) => (value === null ? 0 : Number(value)));
  }

  async top(ranking: string, limit: number): Promise<RankedMember[]> {
    if (limit <= 0) return [];
    const entries = await this.#run('counters.top', () => this.#client.zRangeWithScores(this.#prefix + ranking, 0, limit - 1, { REV: true }));
    return entries.map((entry) => ({ member: String(entry.value), amount: Number(entry.score) }));
  }

  async #run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      this.#opts.assertOpen?.();
      return await withDeadline(command(), this.#opts.commandTimeoutMs, operation);
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }
}
