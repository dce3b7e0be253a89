/**
 * `AtomicRecords` on the SQLite file: an update is one `BEGIN IMMEDIATE`
 * transaction, so it is atomic against this process's other callers (node:sqlite
 * is synchronous: nothing runs in between) and against other processes on the
 * same file (SQLite serialises writers). Rows use Keyv's layout (`namespace:key`).
 */
import { type AtomicRecords, type KeyvCodec, type RecordChange } from './atomic-records.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { toStoreError } from './store-error.ts';

export class SqliteRecords implements AtomicRecords {
  readonly #db: SqliteDatabase;
  readonly #prefix: string;
  readonly #codec: KeyvCodec;
  readonly #assertOpen: () => void;

  constructor(db: SqliteDatabase, namespace: string, codec: KeyvCodec, assertOpen: () => void = () => undefined) {
    this.#db = db;
    this.#prefix = `${namespace}:`;
    this.#codec = codec;
    this.#assertOpen = assertOpen;
  }

  async update(key: string, change: (current: unknown) => RecordChange): Promise<void> {
    try {
      this.#assertOpen();
      this.#db.transaction(() => {
        const now = this.#db.now();
        const raw = this.#db.get(this.#prefix + key);
        const next = change(raw === undefined ? undefined : this.#codec.decode(raw, now));
        if (next.type === 'keep') return;
        const expires = next.ttlMs === undefined ? undefined : now + next.ttlMs;
        if (next.keepOldAt !== undefined && raw !== undefined) this.#db.set(this.#prefix + next.keepOldAt, raw, expires);
        this.#db.set(this.#prefix + key, this.#codec.encode(next.value, expires), expires);
      });
    } catch (err) {
      throw toStoreError(err, `${this.#prefix}update`);
    }
  }

  async *keys(prefix: string): AsyncIterable<string> {
    try {
      this.#assertOpen();
      for (const row of this.#db.rows(this.#prefix + prefix)) yield row.key.slice(this.#prefix.length);
    } catch (err) {
      throw toStoreError(err, `${this.#prefix}keys`);
    }
  }
}
