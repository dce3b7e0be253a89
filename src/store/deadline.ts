/**
 * A bound on how long one store operation may take. @redis/client's own
 * command timeout stops counting once the command is written to the socket
 * (commands-queue.js clears it on write), so a Redis that accepts the bytes
 * and never answers (paused, overloaded, half-open TCP) would hang a turn
 * forever without this. The abandoned command still gets its reply matched
 * if the server wakes up, so the connection stays in sync.
 */
import { StoreError } from './store-error.ts';

export function withDeadline<T>(work: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreError('unavailable', operation, `store ${operation} got no answer within ${ms}ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
