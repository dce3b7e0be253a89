/**
 * Gets exchanges into history even through a store outage. A finished answer's
 * exchange is retried while the turn still holds its conversation (after 0.5, 1,
 * 2, 4 and 8 s: a Redis restart is waited out), so the next turn reads it; past
 * that, and at once for a question kept without an answer, it waits in a bounded
 * queue in memory. The queue is flushed when the store answers again: in the
 * background, and by the next turn of the same conversation before it reads history.
 * Appends are idempotent, so two flushes of the same exchange store it once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { StoredMessage } from '../history/record.ts';
import type { HistoryStore } from '../history/store.ts';
import { StoreError } from '../store/store-error.ts';

const RETRIES = 5;

export interface HistoryWriterOptions {
  /** First pause of a finished turn's retries; doubled each time (default 500 ms). */
  readonly retryBaseMs?: number;
  /** How often the queue is flushed while it holds anything (default 5 s). */
  readonly flushEveryMs?: number;
  /** Most exchanges kept in memory while the store is down; past it the oldest is dropped, logged (default 1,000). */
  readonly maxPending?: number;
}

interface Pending {
  readonly conversationId: string;
  readonly exchange: readonly StoredMessage[];
  /** The turn whose exchange this one replaces (a regeneration), instead of being added. */
  readonly replaces?: string | undefined;
}

const storeIsDown = (error: unknown) => error instanceof StoreError && error.kind === 'unavailable';

export class HistoryWriter {
  readonly #history: HistoryStore;
  readonly #log: Logger;
  readonly #retryBaseMs: number;
  readonly #flushEveryMs: number;
  readonly #maxPending: number;
  readonly #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(history: HistoryStore, log: Logger, opts: HistoryWriterOptions = {}) {
    this.#history = history;
    this.#log = log;
    this.#retryBaseMs = opts.retryBaseMs ?? 500;
    this.#flushEveryMs = opts.flushEveryMs ?? 5000;
    this.#maxPending = opts.maxPending ?? 1000;
  }

  /** Exchanges waiting for the store. */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * Stores `exchange`. With `retry`, a store that is down is retried for about 15 s
   * first (the caller waits); then, or at once without `retry`, the exchange is queued.
   * Never throws: a store that refuses the write (not an outage) is logged. With `replaces`,
   * the exchange takes the place of that turn's (`HistoryStore.replaceExchange`).
   */
  async store(conversationId: string, exchange: readonly StoredMessage[], log: Logger, opts: { retry: boolean; replaces?: string }): Promise<void> {
    const entry: Pending = { conversationId, exchange, replaces: opts.replaces };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#write(entry);
        if (attempt > 0) log.info({ attempts: attempt + 1 }, 'stored the turn once the store was back');
        return;
      } catch (error) {
        if (!storeIsDown(error)) {
          log.error({ err: error }, 'could not store the turn');
          return;
        }
        if (!opts.retry || attempt >= RETRIES) {
          log.warn({ err: error }, 'store unavailable, keeping the turn in memory until it is back');
          this.#queue(entry);
          return;
        }
        log.warn({ err: error, attempt: attempt + 1 }, 'store unavailable, retrying to store the turn');
        await delay(this.#retryBaseMs * 2 ** attempt);
      }
    }
  }

  /** Stores what waits for `conversationId`, in order, before a turn reads its history. Rejects with the store's error. */
  async flush(conversationId: string): Promise<void> {
    for (const entry of this.#pending.filter((p) => p.conversationId === conversationId)) await this.#flushOne(entry);
  }

  /** Tries to store everything that waits, now (at shutdown); resolves with how many still wait. */
  async flushAll(): Promise<number> {
    await this.#flushAll();
    return this.#pending.length;
  }

  #queue(entry: Pending): void {
    this.#pending.push(entry);
    if (this.#pending.length > this.#maxPending) {
      const dropped = this.#pending.shift();
      this.#log.error({ conversation: dropped?.conversationId, max: this.#maxPending }, 'too many turns waiting for the store: dropped the oldest');
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#pending.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flushAll().finally(() => this.#schedule());
    }, this.#flushEveryMs);
    // Waiting for the store must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  /** Flushes in order until the store fails; never rejects. */
  async #flushAll(): Promise<void> {
    const waiting = this.#pending.length;
    try {
      for (const entry of [...this.#pending]) await this.#flushOne(entry);
      if (waiting > 0 && this.#pending.length === 0) this.#log.info({ exchanges: waiting }, 'stored every turn kept while the store was down');
    } catch (error) {
      if (!storeIsDown(error)) this.#log.error({ err: error }, 'could not store a kept turn');
    }
  }

  /** Both are idempotent: a write retried after a timeout that had in fact landed changes nothing. */
  #write(entry: Pending): Promise<void> {
    if (entry.replaces !== undefined) return this.#history.replaceExchange(entry.conversationId, entry.replaces, entry.exchange);
    return this.#history.append(entry.conversationId, ...entry.exchange);
  }

  async #flushOne(entry: Pending): Promise<void> {
    try {
      await this.#write(entry);
    } catch (error) {
      if (storeIsDown(error)) throw error;
      // Refused for good (not an outage): retrying will not help.
      this.#log.error({ err: error, conversation: entry.conversationId }, 'could not store a kept turn');
    }
    const at = this.#pending.indexOf(entry);
    if (at !== -1) this.#pending.splice(at, 1);
  }
}
