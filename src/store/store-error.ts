/**
 * Storage failures as typed values, so callers can tell "the store is down,
 * answer without memory or retry later" from "the store refused this".
 * - `unavailable`: the backend cannot be reached, timed out, or is busy
 *   (Redis offline or reconnecting, a command timeout, SQLITE_BUSY);
 * - `failed`: the backend answered with an error (a Redis error reply,
 *   a SQLite constraint): retrying the same call will not help.
 */
export type StoreErrorKind = 'unavailable' | 'failed';

export class StoreError extends Error {
  override name = 'StoreError';
  readonly kind: StoreErrorKind;
  /** The operation that failed, for logs (`get`, `lock.acquire`, `ping`, …). */
  readonly operation: string;
  constructor(kind: StoreErrorKind, operation: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.kind = kind;
    this.operation = operation;
  }
}

/** Redis error replies that mean "not now" rather than "never" (redis.io/docs/latest/develop/reference/protocol-spec, error prefixes). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN)\b/;

/** SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the write lock past busy_timeout. */
const SQLITE_BUSY_CODES = new Set([5, 6]);

function isRedisErrorReply(err: Error): boolean {
  // @redis/client's ErrorReply is not exported through @keyv/redis, so match the class by name.
  for (let proto: unknown = Object.getPrototypeOf(err); proto !== null && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'ErrorReply') return true;
  }
  return false;
}

/** Wraps whatever a backend threw into a StoreError; a StoreError passes through unchanged. */
export function toStoreError(err: unknown, operation: string): StoreError {
  if (err instanceof StoreError) return err;
  if (!(err instanceof Error)) return new StoreError('unavailable', operation, `store ${operation} failed`, { cause: err });
  const errcode = (err as { errcode?: unknown }).errcode;
  if (typeof errcode === 'number') {
    const kind = SQLITE_BUSY_CODES.has(errcode & 0xff) ? 'unavailable' : 'failed';
    return new StoreError(kind, operation, `sqlite ${operation} failed: ${err.message}`, { cause: err });
  }
  if (isRedisErrorReply(err)) {
    const kind = TRANSIENT_REPLY.test(err.message) ? 'unavailable' : 'failed';
    return new StoreError(kind, operation, `redis ${operation} failed: ${err.message}`, { cause: err });
  }
  return new StoreError('unavailable', operation, `store ${operation} failed: ${err.message}`, { cause: err });
}
