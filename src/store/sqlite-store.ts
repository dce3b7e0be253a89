/**
 * A Keyv 5 storage adapter over `node:sqlite`, passing `@keyv/test-suite`.
 * It behaves as `@keyv/sqlite` does (Keyv prefixes keys with `namespace:`,
 * `clear()` removes only that prefix, `opts.dialect` is `sqlite` so Keyv
 * enables `iterator()`), without a native addon, and honours the `ttl` Keyv
 * passes to `set`: expired rows are never returned and are swept.
 */
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { SqliteDatabase, type SqliteDatabaseOptions } from './sqlite-database.ts';

export interface SqliteStoreOptions extends SqliteDatabaseOptions {
  /** Namespace to start with; Keyv overwrites it with its own. */
  readonly namespace?: string;
}

export class SqliteStore extends EventEmitter implements KeyvStoreAdapter {
  /** Read by Keyv: `dialect: 'sqlite'` turns on `keyv.iterator()`. Mutable, as Keyv's test suite writes to it. */
  opts: { dialect: 'sqlite'; url: string; [option: string]: unknown };
  namespace: string | undefined;
  readonly database: SqliteDatabase;
  readonly #ownsDatabase: boolean;

  /**
   * `location` is a file path (parent directory created), `':memory:'`, or an
   * open `SqliteDatabase` shared with other adapters, which `disconnect()`
   * then leaves open for its owner to close.
   */
  constructor(location: string | SqliteDatabase, options: SqliteStoreOptions = {}) {
    super();
    this.#ownsDatabase = typeof location === 'string';
    this.database = typeof location === 'string' ? new SqliteDatabase(location, options) : location;
    this.namespace = options.namespace;
    this.opts = { dialect: 'sqlite', url: `sqlite://${this.database.path}` };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.#run(() => this.database.get(key) as StoredData<Value> | undefined);
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return this.#run(() => keys.map((key) => this.database.get(key) as StoredData<Value | undefined>));
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    return this.#run(() => {
      const expires = typeof ttl === 'number' && ttl > 0 ? this.database.now() + ttl : undefined;
      // Keyv hands over a serialized string; anything else is stored as JSON
      // so a custom serializer that returns objects still round-trips.
      this.database.set(key, typeof value === 'string' ? value : JSON.stringify(value), expires);
      return true;
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.#run(() => this.database.delete(key));
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return this.#run(() => this.database.deleteMany(keys));
  }

  async has(key: string): Promise<boolean> {
    return this.#run(() => this.database.has(key));
  }

  /** Clears this adapter's namespace only; with no namespace, the whole table. */
  async clear(): Promise<void> {
    this.#run(() => this.database.clear(this.namespace === undefined ? undefined : `${this.namespace}:`));
  }

  /** Yields `[prefixedKey, serializedValue]` for live rows of `namespace`, a page at a time. */
  async *iterator<Value>(namespace?: string): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    for (const row of this.database.rows(namespace === undefined ? '' : `${namespace}:`)) {
      yield [row.key, row.value as Awaited<Value>];
    }
  }

  /** Deletes expired rows now instead of waiting for the sweep timer; returns how many. */
  sweep(): number {
    return this.#run(() => this.database.sweep());
  }

  async disconnect(): Promise<void> {
    if (this.#ownsDatabase) this.database.close();
  }

  /** Runs a synchronous database call, reporting a failure as Keyv adapters do (an `error` event) before throwing it. */
  #run<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      if (this.listenerCount('error') > 0) this.emit('error', err);
      throw err;
    }
  }
}
