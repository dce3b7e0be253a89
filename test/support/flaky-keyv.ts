/** A Keyv in memory whose store can be taken down and brought back, as a Redis outage would. */
import Keyv from 'keyv';
import { StoreError } from '../../src/store/store-error.ts';

export interface FlakyKeyv {
  readonly keyv: Keyv;
  /** While true every operation rejects with StoreError `unavailable`. */
  down: boolean;
}

export function flakyKeyv(): FlakyKeyv {
  const data = new Map<string, unknown>();
  const state = { down: false };
  const guard = (operation: string) => {
    if (state.down) throw new StoreError('unavailable', operation, 'the store is down');
  };
  const keyv = new Keyv({
    store: {
      get: async (key: string) => (guard('get'), data.get(key)),
      set: async (key: string, value: unknown) => (guard('set'), data.set(key, value), true),
      delete: async (key: string) => (guard('delete'), data.delete(key)),
      clear: async () => (guard('clear'), data.clear()),
    },
    throwOnErrors: true,
  });
  return {
    keyv,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
  };
}
