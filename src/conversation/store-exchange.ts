/**
 * Appends a finished exchange to history. The user has already seen the answer,
 * so a store that is briefly down (a Redis restart) is waited out, still holding
 * the turn, rather than losing the exchange: retried after 0.5, 1, 2, 4 and 8 s,
 * then given up with an error log. Other failures are not retried.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { StoredMessage } from '../history/record.ts';
import type { HistoryStore } from '../history/store.ts';
import { StoreError } from '../store/store-error.ts';

const RETRIES = 5;
const RETRY_BASE_MS = 500;

export async function storeExchange(history: HistoryStore, conversationId: string, exchange: StoredMessage[], log: Logger): Promise<void> {
  const turnId = exchange[0]?.turnId;
  for (let attempt = 0; ; attempt++) {
    try {
      // A write whose reply timed out may have landed: never store the exchange twice.
      if (attempt > 0 && (await history.load(conversationId)).messages.some((m) => m.role === 'assistant' && m.turnId === turnId)) return;
      await history.append(conversationId, ...exchange);
      if (attempt > 0) log.info({ attempts: attempt + 1 }, 'stored the turn once the store was back');
      return;
    } catch (error) {
      if (!(error instanceof StoreError && error.kind === 'unavailable') || attempt >= RETRIES) {
        log.error({ err: error }, 'could not store the turn');
        return;
      }
      log.warn({ err: error, attempt: attempt + 1 }, 'store unavailable, retrying to store the turn');
      await delay(RETRY_BASE_MS * 2 ** attempt);
    }
  }
}
