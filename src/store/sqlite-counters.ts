/**
 * `Counters` in the SQLite file: one table, a row per counter (member '') or
 * per ranking member, each addition one `BEGIN IMMEDIATE` transaction of
 * upserts, so it is atomic against this process (node:sqlite is synchronous)
 * and against other processes on the file (SQLite serialises writers). A row
 * past its expiry reads as absent and starts again from the amount added;
 * expired rows are deleted as additions come.
 */
import type { StatementSync } from 'node:sqlite';
import type { CounterAddition, Counters, RankedMember } from './counters.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { toStoreError } from './store-error.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS counters (key TEXT NOT NULL, member TEXT NOT NULL, amount INTEGER NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (key, member));
CREATE INDEX IF NOT EXISTS counters_expires ON counters(expires);
CREATE INDEX IF NOT EXISTS counters_ranking ON counters(key, amount);`;

const STATEMENTS = {
  add: `INSERT INTO counters (key, member, amount, expires) VALUES (:key, :member, :amount, :expires)
        ON CONFLICT(key, member) DO UPDATE SET
          amount = CASE WHEN counters.expires <= :now THEN excluded.amount ELSE counters.amount + excluded.amount END,
          expires = excluded.expires`,
  read: `SELECT amount FROM counters WHERE key = :key AND member = '' AND expires > :now`,
  // Ties in the order Redis's ZRANGE … REV gives them: members descending.
  top: `SELECT member, amount FROM counters WHERE key = :key AND member <> '' AND expires > :now ORDER BY amount DESC, member DESC LIMIT :limit`,
  sweep: `DELETE FROM counters WHERE expires <= :now`,
};

export class SqliteCounters implements Counters {
  readonly #db: SqliteDatabase;
  readonly #stmt: { readonly [K in keyof typeof STATEMENTS]: StatementSync };
  readonly #assertOpen: () => void;

  constructor(db: SqliteDatabase, assertOpen: () => void = () => undefined) {
    this.#db = db;
    this.#stmt = db.define(SCHEMA, STATEMENTS);
    this.#assertOpen = assertOpen;
  }

  async add(addition: CounterAddition): Promise<void> {
    const amount = Math.round(addition.amount);
    const expires = Math.round(addition.expiresAt);
    try {
      this.#assertOpen();
      this.#db.transaction(() => {
        const now = this.#db.now();
        this.#stmt.sweep.run({ now });
        for (const key of addition.counters) this.#stmt.add.run({ key, member: '', amount, expires, now });
        for (const { key, member } of addition.rankings) this.#stmt.add.run({ key, member, amount, expires, now });
      });
    } catch (err) {
      throw toStoreError(err, 'counters.add');
    }
  }

  async read(keys: readonly string[]): Promise<number[]> {
    try {
      this.#assertOpen();
      const now = this.#db.now();
      return keys.map((key) => Number((this.#stmt.read.get({ key, now }) as { amount: number } | undefined)?.amount ?? 0));
    } catch (err) {
      throw toStoreError(err, 'counters.read');
    }
  }

  async top(ranking: string, limit: number): Promise<RankedMember[]> {
    if (limit <= 0) return [];
    try {
      this.#assertOpen();
      const rows = this.#stmt.top.all({ key: ranking, now: this.#db.now(), limit }) as { member: string; amount: number }[];
      return rows.map((row) => ({ member: row.member, amount: Number(row.amount) }));
    } catch (err) {
      throw toStoreError(err, 'counters.top');
    }
  }
}
