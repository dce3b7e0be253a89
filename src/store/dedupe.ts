/**
 * "Have we seen this event before?" for platform retries: Slack re-sends an
 * event it thinks went unanswered (`X-Slack-Retry-Num`), possibly to another
 * instance, and exactly one instance must answer it.
 */
import type { RedisClient } from './redis-client.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { withDeadline } from './deadline.ts';
import { toStoreError } from './store-error.ts';

export interface EventDeduper {
  /** True for the first caller with `key` within `ttlMs`, false for every repeat; atomic across processes sharing the store. */
  firstSeen(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * Backed by the SQLite file, so a restart still remembers what it answered.
 * Rows sit in the Keyv table under `${namespace}:` in Keyv's serialized form,
 * so `store.keyv(namespace)` can read them too.
 */
export class SqliteDeduper implements EventDeduper {
  readonly #db: SqliteDatabase;
  readonly #prefix: string;

  constructor(db: SqliteDatabase, namespace = 'dedupe') {
    this.#db = db;
    this.#prefix = `${namespace}:`;
  }

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    try {
      const expires = this.#db.now() + Math.max(1, ttlMs);
      return this.#db.insertIfAbsent(`${this.#prefix}${key}`, JSON.stringify({ value: true, expires }), expires);
    } catch (err) {
      throw toStoreError(err, 'dedupe.firstSeen');
    }
  }
}

/** `SET key 1 NX PX ttl`: Redis answers OK to exactly one caller. */
export class RedisDeduper implements EventDeduper {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(client: RedisClient, opts: { namespace?: string; timeoutMs?: number } = {}) {
    const namespace = opts.namespace ?? 'dedupe';
    this.#client = client;
    this.#timeoutMs = opts.timeoutMs ?? 2000;
    // Same `namespace::key` layout @keyv/redis uses.
    this.#prefix = `${namespace}::`;
  }

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    try {
      const expiration = { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) } as const;
      const reply = await withDeadline(
        this.#client.set(`${this.#prefix}${key}`, '1', { condition: 'NX', expiration }),
        this.#timeoutMs,
        'dedupe.firstSeen',
      );
      return reply === 'OK';
    } catch (err) {
      throw toStoreError(err, 'dedupe.firstSeen');
    }
  }
}
