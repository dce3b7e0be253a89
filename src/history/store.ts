/**
 * Each conversation's messages, in Keyv under `conversation:<id>`, oldest first.
 * One turn at a time per conversation (the turn lock) makes the
 * read-modify-write of `append` safe.
 */
import type Keyv from 'keyv';
import { conversationRecordSchema, storedMessageSchema, type StoredMessage } from './record.ts';

/** Far more than any request sends: history beyond this is dropped from storage too. */
const MAX_STORED_MESSAGES = 400;

export interface HistoryLoad {
  readonly messages: StoredMessage[];
  /** Stored entries that no longer parse (an older or damaged record); kept out of requests. */
  readonly unreadable: number;
}

export class HistoryStore {
  readonly #keyv: Keyv;

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  async load(conversationId: string): Promise<HistoryLoad> {
    const raw: unknown = await this.#keyv.get(key(conversationId));
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

  async append(conversationId: string, ...added: StoredMessage[]): Promise<void> {
    const raw: unknown = await this.#keyv.get(key(conversationId));
    const record = conversationRecordSchema.safeParse(raw);
    const existing = record.success ? record.data.messages : [];
    const messages = [...existing, ...added].slice(-MAX_STORED_MESSAGES);
    await this.#keyv.set(key(conversationId), { version: 1, messages });
  }

  async has(conversationId: string): Promise<boolean> {
    return (await this.#keyv.get(key(conversationId))) !== undefined;
  }

  async clear(conversationId: string): Promise<void> {
    await this.#keyv.delete(key(conversationId));
  }
}

const key = (conversationId: string) => `conversation:${conversationId}`;
