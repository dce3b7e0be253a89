/**
 * Wraps a Keyv storage adapter so every failure reaches the caller as a
 * `StoreError`. Keyv (with `throwOnErrors`) rethrows whatever the adapter
 * threw: a Redis `ClientOfflineError`, a SQLite `ERR_SQLITE_ERROR`; callers
 * should not need to know which backend they have to decide what to do.
 */
import type { KeyvStoreAdapter } from 'keyv';
import { toStoreError } from './store-error.ts';

const OPERATIONS = new Set(['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'clear', 'has', 'hasMany']);

/** `assertOpen` runs before each operation; it throws once the owning store is closed. */
export function withStoreErrors<T extends KeyvStoreAdapter>(adapter: T, assertOpen: () => void = () => {}): T {
  return new Proxy(adapter, {
    get(target, property) {
      const member: unknown = Reflect.get(target, property, target);
      if (typeof member !== 'function') return member;
      if (typeof property === 'string' && OPERATIONS.has(property)) {
        return async (...args: unknown[]) => {
          try {
            assertOpen();
            return await member.apply(target, args);
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
