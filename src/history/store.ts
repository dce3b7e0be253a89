/**
 * Each conversation's messages, in Keyv under `conversation:<id>`, oldest first.
 * `append` is an atomic read-modify-write (`AtomicRecords`), so it is safe without
 * the turn lock: a turn whose lock expired and the turn that took over both keep
 * their exchange, and so does a question kept while another is being answered.
 * Every append refreshes the record's ttl, so a conversation in use never expires.
 */
import type Keyv from 'keyv';
import { type AtomicRecords, KeyvRecords, type RecordChange } from '../store/atomic-records.ts';
import { StoreError } from '../store/store-error.ts';
import { replaceExchange, withVote, type VoteChange } from './exchanges.ts';
import { conversationRecordSchema, storedMessageSchema, type Rating, type StoredMessage } from './record.ts';

/** Far more than any request sends: history beyond this is dropped from storage too. */
const MAX_STORED_MESSAGES = 400;

export interface HistoryLoad {
  readonly messages: StoredMessage[];
  /** Stored entries that no longer parse (an older or damaged record); kept out of requests. */
  readonly unreadable: number;
}

export interface HistoryStoreOptions {
  /** Atomic updates of the Keyv's namespace (`Store.records('history')`); default: updates serialised within this HistoryStore, right for an in-memory Keyv with one writer only. */
  readonly records?: AtomicRecords | undefined;
  /** How long a conversation is kept after its last exchange (`HISTORY_TTL_DAYS`); undefined keeps it for ever. */
  readonly ttlMs?: number | undefined;
  readonly now?: () => number;
}

export class HistoryStore {
  readonly #keyv: Keyv;
  readonly #records: AtomicRecords;
  readonly #ttlMs: number | undefined;
  readonly #now: () => number;

  constructor(keyv: Keyv, opts: HistoryStoreOptions = {}) {
    this.#keyv = keyv;
    this.#records = opts.records ?? new KeyvRecords(keyv);
    this.#ttlMs = opts.ttlMs;
    this.#now = opts.now ?? (() => Date.now());
  }

  async load(conversationId: string): Promise<HistoryLoad> {
    let raw: unknown;
    try {
      raw = await this.#keyv.get(key(conversationId));
    } catch (error) {
      // Keyv could not even deserialize it: a damaged record, not a store failure.
      if (error instanceof StoreError) throw error;
      return { messages: [], unreadable: 1 };
    }
    if (raw === undefined) return { messages: [], unreadable: 0 };
    const record = conversationRecordSchema.safeParse(raw);
    if (!record.success) return { messages: [], unreadable: 1 };
    const messages: StoredMessage[] = [];
    let unreadable = 0;
    for (const entry of record.data.messages) {
      const parsed = storedMessageSchema.safeParse(entry);
      if (parsed.success) messages.push(parsed.data);
      else unreadable++;
    }
    return { messages, unreadable };
  }

  /**
   * Adds messages (an exchange: the question, then what answered it). The exchange goes
   * where its question's time puts it, so one stored late (a turn whose lock was lost, a
   * question kept during an outage) still reads in the order it was asked. Idempotent:
   * messages already stored (same role, turn and time) are not stored twice, so a write
   * retried after a timeout that had in fact landed changes nothing. A record that no
   * longer parses is kept aside under `conversation:<id>:unreadable:<ms>`, never overwritten.
   */
  async append(conversationId: string, ...added: StoredMessage[]): Promise<void> {
    const recordKey = key(conversationId);
    const now = this.#now();
    await this.#records.update(recordKey, (current): RecordChange => {
      if (current === undefined) return this.#write(added);
      const record = conversationRecordSchema.safeParse(current);
      if (!record.success) return { ...this.#write(added), keepOldAt: `${recordKey}:unreadable:${now}` };
      const existing = record.data.messages;
      const fresh = added.filter((m) => !existing.some((e) => sameMessage(e, m)));
      if (fresh.length === 0) return { type: 'keep' };
      const first = fresh[0];
      const at = first?.role === 'user' ? insertionPoint(existing, first.at) : existing.length;
      return this.#write([...existing.slice(0, at), ...fresh, ...existing.slice(at)]);
    });
  }

  /**
   * Replaces the exchange of `turnId` (its question and answer; not the messages it read in)
   * with `exchange`, where it stood: a regenerated answer, or an edited question and its new
   * answer, is not added as a second exchange. Atomic like `append`; when the exchange is no
   * longer there (a reset meanwhile), `exchange` is appended as a new turn's would be.
   */
  async replaceExchange(conversationId: string, turnId: string, exchange: readonly StoredMessage[]): Promise<void> {
    const recordKey = key(conversationId);
    const now = this.#now();
    await this.#records.update(recordKey, (current): RecordChange => {
      if (current === undefined) return this.#write(exchange);
      const record = conversationRecordSchema.safeParse(current);
      if (!record.success) return { ...this.#write(exchange), keepOldAt: `${recordKey}:unreadable:${now}` };
      const replaced = replaceExchange(record.data.messages, turnId, exchange);
      if (replaced) return this.#write(replaced);
      const existing = record.data.messages;
      const at = insertionPoint(existing, exchange[0]?.at ?? now);
      return this.#write([...existing.slice(0, at), ...exchange, ...existing.slice(at)]);
    });
  }

  /**
   * Records `userId`'s 👍/👎 on the answer of `turnId`, replacing their earlier vote there.
   * Resolves with the answer's model and the vote replaced, or undefined when history no
   * longer holds that answer. Atomic: votes of several people at once are all kept.
   */
  async rate(conversationId: string, turnId: string, userId: string, rating: Rating): Promise<VoteChange | undefined> {
    let change: VoteChange | undefined;
    await this.#records.update(key(conversationId), (current): RecordChange => {
      // `update` may run this more than once: only the last run's finding counts.
      change = undefined;
      const record = conversationRecordSchema.safeParse(current);
      if (!record.success) return { type: 'keep' };
      const voted = withVote(record.data.messages, turnId, userId, rating);
      if (!voted) return { type: 'keep' };
      change = voted.change;
      if (voted.change.previous === rating) return { type: 'keep' };
      return this.#write(voted.entries);
    });
    return change;
  }

  async has(conversationId: string): Promise<boolean> {
    return (await this.#keyv.get(key(conversationId))) !== undefined;
  }

  async clear(conversationId: string): Promise<void> {
    await this.#keyv.delete(key(conversationId));
  }

  #write(messages: readonly unknown[]): Extract<RecordChange, { type: 'write' }> {
    return { type: 'write', value: { version: 1, messages: messages.slice(-MAX_STORED_MESSAGES) }, ttlMs: this.#ttlMs };
  }
}

const key = (conversationId: string) => `conversation:${conversationId}`;

function sameMessage(stored: unknown, message: StoredMessage): boolean {
  if (typeof stored !== 'object' || stored === null) return false;
  const s = stored as Partial<Record<'role' | 'turnId' | 'at', unknown>>;
  return s.role === message.role && s.turnId === message.turnId && s.at === message.at;
}

/**
 * Where an exchange asked at `askedAt` goes: before every later-asked exchange at the
 * end of the record. Usually the end itself; an entry that is not a message stops the search.
 */
function insertionPoint(existing: readonly unknown[], askedAt: number): number {
  let at = existing.length;
  for (let i = existing.length - 1; i >= 0; i--) {
    const entry = existing[i] as Partial<Record<'role' | 'at', unknown>> | null;
    if (typeof entry !== 'object' || entry === null || typeof entry.at !== 'number') break;
    if (entry.role !== 'user') continue;
    if (entry.at <= askedAt) break;
    at = i;
  }
  return at;
}
