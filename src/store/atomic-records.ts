/**
 * Two things Keyv cannot do on a namespace, which the store offers beside it:
 * - an atomic read-modify-write of one record, so two writers (a turn whose lock
 *   expired and the one that took over, or a message kept while another is answered)
 *   never lose each other's change (`HistoryStore.append`);
 * - listing keys by prefix, for records found only by their key (answers in progress).
 *
 * Records are written in Keyv's own serialized form under Keyv's own key, so
 * `store.keyv(namespace).get(key)` reads them back. SQLite does the update in one
 * transaction (sqlite-records.ts), Redis as a compare-and-set script (redis-records.ts);
 * `KeyvRecords` here serves a plain Keyv (in memory, one process), in tests and tools.
 */
import type Keyv from 'keyv';
import { StoreError } from './store-error.ts';

/** A stored value that is not even JSON: handed to `change` in place of a value. */
export class UnparsableRecord {
  readonly raw: string;
  constructor(raw: string) {
    this.raw = raw;
  }
}

/** What an update does with the record it read. */
export type RecordChange =
  | { readonly type: 'keep' }
  | {
      readonly type: 'write';
      readonly value: unknown;
      /** Expiry counted from now; undefined keeps the record for ever. */
      readonly ttlMs: number | undefined;
      /** Keep the record being replaced, exactly as stored, under this key of the namespace (same ttl). */
      readonly keepOldAt?: string | undefined;
    };

export interface AtomicRecords {
  /**
   * Reads `key` and writes what `change` makes of it, so that no other writer's update
   * lands in between. `change` gets the value (undefined when absent or expired, an
   * `UnparsableRecord` when damaged) and may run more than once (after a conflict), so
   * it must not have effects. Rejects with `StoreError`.
   */
  update(key: string, change: (current: unknown) => RecordChange): Promise<void>;
  /** The live keys that start with `prefix`, without the namespace. Rejects with `StoreError`. */
  keys(prefix: string): AsyncIterable<string>;
}

/** Keyv's serialized form of a value: `{ value, expires }` through its own serializer. */
export interface KeyvCodec {
  encode(value: unknown, expires: number | undefined): string;
  /** The value, undefined when expired, an `UnparsableRecord` when `raw` does not parse. */
  decode(raw: string, now: number): unknown;
}

/** The codec a Keyv uses, so records written by the store read back through it. Needs a synchronous serializer (Keyv's default). */
export function keyvCodec(keyv: Keyv): KeyvCodec {
  return {
    encode(value, expires) {
      const serialized: unknown = keyv.serialize?.({ value, expires });
      if (typeof serialized !== 'string') throw new StoreError('failed', 'encode', 'the Keyv serializer must return a string synchronously');
      return serialized;
    },
    decode(raw, now) {
      let data: unknown;
      try {
        data = keyv.deserialize?.(raw);
      } catch {
        return new UnparsableRecord(raw);
      }
      if (typeof data !== 'object' || data === null || !('value' in data)) return new UnparsableRecord(raw);
      const expires = (data as { expires?: unknown }).expires;
      return typeof expires === 'number' && expires <= now ? undefined : data.value;
    },
  };
}

/**
 * Atomic updates for a plain Keyv: serialised per key within this process, which is
 * all there is for an in-memory Keyv. Not safe for a store shared by processes.
 */
export class KeyvRecords implements AtomicRecords {
  readonly #keyv: Keyv;
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  update(key: string, change: (current: unknown) => RecordChange): Promise<void> {
    const run = (this.#chains.get(key) ?? Promise.resolve()).then(() => this.#update(key, change));
    const settled = run.catch(() => undefined);
    this.#chains.set(key, settled);
    void settled.then(() => {
      if (this.#chains.get(key) === settled) this.#chains.delete(key);
    });
    return run;
  }

  async *keys(prefix: string): AsyncIterable<string> {
    if (!this.#keyv.iterator) throw new StoreError('failed', 'keys', 'this Keyv store cannot list its keys');
    for await (const [key] of this.#keyv.iterator(undefined) as AsyncIterable<[string, unknown]>) {
      if (key.startsWith(prefix)) yield key;
    }
  }

  async #update(key: string, change: (current: unknown) => RecordChange): Promise<void> {
    let current: unknown;
    try {
      current = await this.#keyv.get(key);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      current = new UnparsableRecord('');
    }
    const next = change(current);
    if (next.type === 'keep') return;
    if (next.keepOldAt !== undefined && current !== undefined) await this.#keyv.set(next.keepOldAt, current, next.ttlMs);
    await this.#keyv.set(key, next.value, next.ttlMs);
  }
}
