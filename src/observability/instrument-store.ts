/**
 * Measures a Store without changing what it does: the latency of each Keyv
 * operation and ping, and how long a turn waited for its conversation's lock
 * (TurnGate takes the lock `turn:<conversation>`; waiting for it is the turn
 * queue). `buildCore(config, instrumentStore(store, metrics), …)` is all the
 * wiring it needs.
 */
import type Keyv from 'keyv';
import type { AtomicRecords } from '../store/atomic-records.ts';
import type { Counters } from '../store/counters.ts';
import type { Lock, LockAcquireOptions, LockManager } from '../store/lock.ts';
import type { Store } from '../store/open-store.ts';
import type { BotMetrics } from './metrics.ts';

const TIMED = new Set(['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'clear', 'has', 'hasMany']);

/** The lock key prefix TurnGate uses for a conversation's turn (src/conversation/turn-gate.ts). */
const TURN_LOCK_PREFIX = 'turn:';

export function instrumentStore(store: Store, metrics: BotMetrics, now: () => number = performance.now.bind(performance)): Store {
  const keyvs = new Map<string, Keyv>();
  const records = new Map<string, AtomicRecords>();
  const timed = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    const started = now();
    try {
      const result = await run();
      metrics.storeOperation(operation, now() - started, 'ok');
      return result;
    } catch (error) {
      metrics.storeOperation(operation, now() - started, 'error');
      throw error;
    }
  };
  const locks: LockManager = {
    async acquire(key: string, opts: LockAcquireOptions): Promise<Lock | undefined> {
      const started = now();
      const lock = await store.locks.acquire(key, opts);
      if (key.startsWith(TURN_LOCK_PREFIX)) metrics.turnQueueWaited(now() - started);
      return lock;
    },
  };
  const counters: Counters = {
    add: (addition) => timed('counters.add', () => store.counters.add(addition)),
    read: (keys) => timed('counters.read', () => store.counters.read(keys)),
    top: (ranking, limit) => timed('counters.top', () => store.counters.top(ranking, limit)),
  };
  return {
    kind: store.kind,
    dedupe: store.dedupe,
    locks,
    budgets: store.budgets,
    stopBus: store.stopBus,
    counters,
    keyv(namespace) {
      let keyv = keyvs.get(namespace);
      if (keyv === undefined) {
        keyv = timedKeyv(store.keyv(namespace), namespace, timed);
        keyvs.set(namespace, keyv);
      }
      return keyv;
    },
    records(namespace) {
      let found = records.get(namespace);
      if (found === undefined) {
        const inner = store.records(namespace);
        found = { update: (key, change) => timed(`${namespace}.update`, () => inner.update(key, change)), keys: (prefix) => inner.keys(prefix) };
        records.set(namespace, found);
      }
      return found;
    },
    ping: (signal) => timed('ping', () => store.ping(signal)),
    close: () => store.close(),
  };
}

type Timer = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

/** The same Keyv, with its data operations timed as `<namespace>.<operation>` (e.g. `history.get`). */
function timedKeyv(keyv: Keyv, namespace: string, timed: Timer): Keyv {
  return new Proxy(keyv, {
    get(target, property) {
      const member: unknown = Reflect.get(target, property, target);
      if (typeof member !== 'function') return member;
      if (typeof property === 'string' && TIMED.has(property)) {
        return (...args: unknown[]) => timed(`${namespace}.${property}`, async () => member.apply(target, args));
      }
      return member.bind(target);
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}
