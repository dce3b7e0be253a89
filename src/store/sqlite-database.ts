/**
 * One SQLite file (or `:memory:`) opened with Node's built-in `node:sqlite`:
 * the schema, the pragmas and every prepared statement the store layer uses.
 * Several `SqliteStore` adapters (one per Keyv namespace) and the event
 * deduper share one of these, so `:memory:` means one database, not one each.
 *
 * The table mirrors `@keyv/sqlite` (`key` primary key, `value` TEXT holding
 * Keyv's serialized `{ value, expires }`) plus an `expires` column, so expired
 * rows are filtered in SQL and swept in bulk instead of being read first.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface SqliteDatabaseOptions {
  /** How long a write waits for another connection's lock before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
  /** How often expired rows are deleted in the background; 0 disables the timer. */
  readonly sweepIntervalMs?: number;
  /** Clock in ms since the epoch, injectable for tests. */
  readonly now?: () => number;
}

export interface SqliteRow {
  readonly key: string;
  readonly value: string;
}

/** Table name fixed, as in `@keyv/sqlite`'s default, so a file is readable by either. */
const TABLE = 'keyv';
const PAGE_SIZE = 100;

export class SqliteDatabase {
  readonly path: string;
  readonly now: () => number;
  readonly #db: DatabaseSync;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #stmt: {
    get: StatementSync;
    has: StatementSync;
    upsert: StatementSync;
    insertIfAbsent: StatementSync;
    delete: StatementSync;
    clearAll: StatementSync;
    clearRange: StatementSync;
    page: StatementSync;
    sweep: StatementSync;
  };
  #closed = false;

  /** `path` is a file path (its directory is created) or `:memory:`. */
  constructor(path: string, opts: SqliteDatabaseOptions = {}) {
    this.path = path;
    this.now = opts.now ?? (() => Date.now());
    const inMemory = path === ':memory:' || path === '';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
    this.#db = new DatabaseSync(path, { timeout: busyTimeoutMs });
    // WAL lets readers run while one writer commits; NORMAL sync is durable
    // across process crashes in WAL mode (sqlite.org/pragma.html#pragma_synchronous).
    if (!inMemory) this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    this.#db.exec('PRAGMA synchronous = NORMAL');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, value TEXT, expires INTEGER)`);
    this.#migrateFromKeyvSqlite();
    this.#db.exec(`CREATE INDEX IF NOT EXISTS ${TABLE}_expires ON ${TABLE}(expires) WHERE expires IS NOT NULL`);

    const live = '(expires IS NULL OR expires > :now)';
    this.#stmt = {
      get: this.#db.prepare(`SELECT value FROM ${TABLE} WHERE key = :key AND ${live}`),
      has: this.#db.prepare(`SELECT 1 AS found FROM ${TABLE} WHERE key = :key AND ${live}`),
      upsert: this.#db.prepare(
        `INSERT INTO ${TABLE} (key, value, expires) VALUES (:key, :value, :expires)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
      ),
      // Writes only when the key is absent or expired: one statement, so it is
      // atomic against other connections too (SQLite serialises writers).
      insertIfAbsent: this.#db.prepare(
        `INSERT INTO ${TABLE} (key, value, expires) VALUES (:key, :value, :expires)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires
         WHERE ${TABLE}.expires IS NOT NULL AND ${TABLE}.expires <= :now`,
      ),
      delete: this.#db.prepare(`DELETE FROM ${TABLE} WHERE key = :key RETURNING expires`),
      clearAll: this.#db.prepare(`DELETE FROM ${TABLE}`),
      // A key range instead of LIKE: uses the primary key index and treats `%`
      // and `_` in a namespace literally.
      clearRange: this.#db.prepare(`DELETE FROM ${TABLE} WHERE key >= :from AND key < :to`),
      page: this.#db.prepare(
        `SELECT key, value FROM ${TABLE} WHERE key > :after AND key >= :from AND (:to IS NULL OR key < :to) AND ${live}
         ORDER BY key LIMIT ${PAGE_SIZE}`,
      ),
      sweep: this.#db.prepare(`DELETE FROM ${TABLE} WHERE expires IS NOT NULL AND expires <= :now`),
    };
    this.sweep();
    const sweepIntervalMs = opts.sweepIntervalMs ?? 60_000;
    if (sweepIntervalMs > 0) {
      this.#timer = setInterval(() => {
        try {
          this.sweep();
        } catch {
          // A busy database skips one sweep; the next one catches up.
        }
      }, sweepIntervalMs);
      this.#timer.unref();
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get(key: string): string | undefined {
    const row = this.#stmt.get.get({ key, now: this.now() }) as { value: string } | undefined;
    return row?.value;
  }

  has(key: string): boolean {
    return this.#stmt.has.get({ key, now: this.now() }) !== undefined;
  }

  /** `expires` in ms since the epoch, or undefined for no expiry. */
  set(key: string, value: string, expires: number | undefined): void {
    this.#stmt.upsert.run({ key, value, expires: expires ?? null });
  }

  /** Stores the row only if the key is absent or expired; true when it did. */
  insertIfAbsent(key: string, value: string, expires: number): boolean {
    return this.#stmt.insertIfAbsent.run({ key, value, expires, now: this.now() }).changes > 0;
  }

  /** True when a live row was deleted (an expired row is deleted too, but reports false). */
  delete(key: string): boolean {
    const row = this.#stmt.delete.get({ key }) as { expires: number | null } | undefined;
    return row !== undefined && (row.expires === null || row.expires > this.now());
  }

  deleteMany(keys: readonly string[]): boolean {
    return this.transaction(() => keys.map((key) => this.delete(key)).some(Boolean));
  }

  /** Deletes every key starting with `prefix`, or every key when `prefix` is undefined. */
  clear(prefix: string | undefined): void {
    if (prefix === undefined || prefix === '') this.#stmt.clearAll.run();
    else this.#stmt.clearRange.run({ from: prefix, to: prefixEnd(prefix) });
  }

  /** Live rows whose key starts with `prefix`, in key order, read a page at a time. */
  *rows(prefix: string): Generator<SqliteRow> {
    const to = prefix === '' ? null : prefixEnd(prefix);
    let after = '';
    for (;;) {
      const page = this.#stmt.page.all({ after, from: prefix, to, now: this.now() }) as unknown as SqliteRow[];
      yield* page;
      const last = page.at(-1);
      if (page.length < PAGE_SIZE || last === undefined) return;
      after = last.key;
    }
  }

  /** Deletes expired rows; returns how many. */
  sweep(): number {
    return Number(this.#stmt.sweep.run({ now: this.now() }).changes);
  }

  /**
   * Runs `sql` (schema statements) and prepares the statements of a store module with a
   * table of its own (sqlite-counters.ts), on this connection so its writes share
   * `transaction` and the busy timeout.
   */
  define<T extends Record<string, string>>(schema: string, statements: T): { readonly [K in keyof T]: StatementSync } {
    this.#db.exec(schema);
    const prepared: Partial<Record<keyof T, StatementSync>> = {};
    for (const name of Object.keys(statements) as (keyof T)[]) prepared[name] = this.#db.prepare(statements[name] as string);
    return prepared as { readonly [K in keyof T]: StatementSync };
  }

  transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#db.close();
  }

  /** A file written by `@keyv/sqlite` has no `expires` column; add it in place. */
  #migrateFromKeyvSqlite(): void {
    const columns = this.#db.prepare(`PRAGMA table_info(${TABLE})`).all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'expires')) this.#db.exec(`ALTER TABLE ${TABLE} ADD COLUMN expires INTEGER`);
  }
}

/**
 * The smallest string greater than every string starting with `prefix`, under
 * SQLite's BINARY collation. Namespace prefixes end in ':' (ASCII), so bumping
 * the last code unit gives ';' and stays in UTF-8 byte order.
 */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
