/**
 * Wraps a Keyv storage adapter so every failure reaches the caller as a
 * `StoreError`. Keyv (with `throwOnErrors`) rethrows whatever the adapter
 * threw: a Redis `ClientOfflineError`, a SQLite `ERR_SQLITE_ERROR`; callers
 * should not need to know which backend they have to decide what to do.
 */
import type { KeyvStoreAdapter } from 'keyv';
import { withDeadline } from './deadline.ts';
import { toStoreError } from './store-error.ts';

const OPERATIONS = new Set(['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'clear', 'has', 'hasMany']);

export interface StoreErrorGuard {
  /** Runs before each operation; throws once the owning store is closed. */
  readonly assertOpen?: () => void;
  /** Rejects an operation that has not settled after this long. */
  readonly timeoutMs?: number;
}

export function withStoreErrors<T extends KeyvStoreAdapter>(adapter: T, guard: StoreErrorGuard = {}): T {
  return new Proxy(adapter, {
    get(target, property) {
      const member: unknown = Reflect.get(target, property, target);
      if (typeof member !== 'function') return member;
      if (typeof property === 'string' && OPERATIONS.has(property)) {
        return async (...args: unknown[]) => {
          try {
            guard.assertOpen?.();
            const work = Promise.resolve(member.apply(target, args));
            return await (guard.timeoutMs === undefined ? work : withDeadline(work, guard.timeoutMs, property));
          } catch (err) {
            throw toStoreError(err, property);
          }
        };
      }
      return member.bind(target);
    },
    // Keyv assigns `namespace` on its adapter; the setter must run on the real object.
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}
