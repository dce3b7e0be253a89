/**
 * `AtomicRecords` on Redis: optimistic compare-and-set. The record is read with
 * its SHA-1 (computed by Redis, over the bytes as stored), the change is made
 * here, and a script writes it only if the record still has that SHA-1; if
 * another writer got in between, the update reads again and retries. Keys use
 * @keyv/redis's layout (`namespace::key`), values Keyv's serialized form.
 */
import type { AtomicRecords, KeyvCodec, RecordChange } from './atomic-records.ts';
import { withDeadline } from './deadline.ts';
import type { RedisClient } from './redis-client.ts';
import { StoreError, toStoreError } from './store-error.ts';

// KEYS: record. Returns {value or nil, sha1 of the value or ''}.
const READ = `
local value = redis.call('GET', KEYS[1])
if not value then return {false, ''} end
return {value, redis.sha1hex(value)}`;

// KEYS: record, where to keep the old record. ARGV: sha1 read ('' for none), new value, ttl ms ('0': none), keep old ('1'/'0').
// Returns 1 when written, 0 when the record changed since it was read.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
local seen = current and redis.sha1hex(current) or ''
if seen ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
if ARGV[4] == '1' and current then
  if ttl > 0 then redis.call('SET', KEYS[2], current, 'PX', ttl) else redis.call('SET', KEYS[2], current) end
end
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

/** Writers racing on one record are rare (one turn per conversation holds its lock); this many in a row means something is wrong. */
const MAX_ATTEMPTS = 20;
/** Keys per SCAN round trip when listing: the whole keyspace is walked, so in large steps. */
const SCAN_COUNT = 1000;

export interface RedisRecordsOptions {
  readonly commandTimeoutMs: number;
  readonly assertOpen?: () => void;
}

export class RedisRecords implements AtomicRecords {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #codec: KeyvCodec;
  readonly #opts: RedisRecordsOptions;

  constructor(client: RedisClient, namespace: string, codec: KeyvCodec, opts: RedisRecordsOptions) {
    this.#client = client;
    this.#prefix = `${namespace}::`;
    this.#codec = codec;
    this.#opts = opts;
  }

  async update(key: string, change: (current: unknown) => RecordChange): Promise<void> {
    const record = this.#prefix + key;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [raw, sha] = (await this.#eval(READ, [record], [])) as [string | null, string];
      const next = change(raw === null ? undefined : this.#codec.decode(raw, Date.now()));
      if (next.type === 'keep') return;
      const ttlMs = next.ttlMs === undefined ? 0 : Math.max(1, Math.ceil(next.ttlMs));
      const expires = next.ttlMs === undefined ? undefined : Date.now() + next.ttlMs;
      const oldKey = next.keepOldAt === undefined ? record : this.#prefix + next.keepOldAt;
      const args = [sha, this.#codec.encode(next.value, expires), String(ttlMs), next.keepOldAt === undefined ? '0' : '1'];
      if ((await this.#eval(COMPARE_AND_SET, [record, oldKey], args)) === 1) return;
    }
    throw new StoreError('unavailable', 'update', `record ${key} kept changing under ${MAX_ATTEMPTS} attempts to update it`);
  }

  async *keys(prefix: string): AsyncIterable<string> {
    const match = `${globEscape(this.#prefix + prefix)}*`;
    let cursor = '0';
    do {
      let page: { cursor: string | number; keys: string[] };
      try {
        this.#opts.assertOpen?.();
        page = await withDeadline(this.#client.scan(cursor, { MATCH: match, COUNT: SCAN_COUNT, TYPE: 'string' }), this.#opts.commandTimeoutMs, 'keys');
      } catch (err) {
        throw toStoreError(err, 'keys');
      }
      cursor = String(page.cursor);
      for (const key of page.keys) yield key.slice(this.#prefix.length);
    } while (cursor !== '0');
  }

  async #eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      this.#opts.assertOpen?.();
      return await withDeadline(this.#client.eval(script, { keys, arguments: args }), this.#opts.commandTimeoutMs, 'update');
    } catch (err) {
      throw toStoreError(err, 'update');
    }
  }
}

/** SCAN's MATCH is a glob: ids may hold `*`, `?`, `[` or `\`, which must match themselves. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
