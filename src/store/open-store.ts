/**
 * Opens the bot's storage from `STORE_URL`: one place that knows whether
 * state lives in a SQLite file (one process) or Redis (many instances), and
 * hands out Keyv namespaces, the event deduper, the lock manager, the
 * shared write budgets and the usage counters built on the same connection.
 */
import { resolve } from 'node:path';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import type { BudgetLedger } from '../render/budget-ledger.ts';
import { type AtomicRecords, keyvCodec } from './atomic-records.ts';
import type { Counters } from './counters.ts';
import { type EventDeduper, RedisDeduper, SqliteDeduper } from './dedupe.ts';
import { InProcessLockManager, type LockManager } from './lock.ts';
import { withDeadline } from './deadline.ts';
import { RedisBudgetLedger } from './redis-budget-ledger.ts';
import { createRedisClient, type RedisClient } from './redis-client.ts';
import { RedisCounters } from './redis-counters.ts';
import { RedisLockManager } from './redis-lock.ts';
import { RedisRecords } from './redis-records.ts';
import { SqliteCounters } from './sqlite-counters.ts';
import { SqliteDatabase } from './sqlite-database.ts';
import { SqliteRecords } from './sqlite-records.ts';
import { SqliteStore } from './sqlite-store.ts';
import { RedisStopBus, type StopBus } from './stop-bus.ts';
import { StoreError, toStoreError } from './store-error.ts';
import { withStoreErrors } from './with-store-errors.ts';

export interface Store {
  readonly kind: 'sqlite' | 'redis';
  /** A Keyv for `namespace` (the same instance on every call). Values are JSON; failures reject with StoreError. */
  keyv(namespace: string): Keyv;
  /** What Keyv cannot do on `namespace`: atomic updates and listing keys (the same instance on every call). */
  records(namespace: string): AtomicRecords;
  readonly dedupe: EventDeduper;
  readonly locks: LockManager;
  /** Stop presses for answers streaming on another instance (Redis); undefined for one process. */
  readonly stopBus: StopBus | undefined;
  /**
   * Platform write budgets shared by every instance on this store, for
   * `new WriteScheduler({ ledger })`. `undefined` for SQLite: one process, whose
   * scheduler counts its own writes.
   */
  readonly budgets: BudgetLedger | undefined;
  /** Counters with an expiry, added to atomically by every instance (token quotas). */
  readonly counters: Counters;
  /** Resolves when the backend answers; rejects with StoreError `unavailable` otherwise. For health checks. */
  ping(signal?: AbortSignal): Promise<void>;
  /** Releases held locks and closes the connection; later operations reject. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Redis: how long `openStore` waits for the first connection before rejecting. */
  readonly connectTimeoutMs?: number;
  /** Redis: deadline of each command. */
  readonly commandTimeoutMs?: number;
  /** Redis: longest pause between reconnect attempts. */
  readonly maxReconnectDelayMs?: number;
  /** SQLite: how long a write waits for another process's lock. */
  readonly busyTimeoutMs?: number;
  /** SQLite: interval of the expired-row sweep. */
  readonly sweepIntervalMs?: number;
  /** Failures no caller awaits (connection drops, lock renewals), to be logged by the owner. */
  readonly onError?: (err: StoreError) => void;
}

/** `sqlite://./data/bot.sqlite` (relative to cwd), `sqlite:///abs/path`, `sqlite://:memory:`, `redis://…` or `rediss://…`. */
export async function openStore(storeUrl: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const scheme = /^([a-z]+):\/\//.exec(storeUrl)?.[1];
  if (scheme === 'sqlite') return openSqlite(storeUrl.slice('sqlite://'.length), opts);
  if (scheme === 'redis' || scheme === 'rediss') return openRedis(storeUrl, opts);
  // The URL may hold a password: name only the scheme.
  throw new StoreError('failed', 'open', `unsupported store URL scheme ${scheme ?? '(none)'}; use sqlite://, redis:// or rediss://`);
}

function closedGuard(): { assertOpen: () => void; markClosed: () => boolean } {
  let closed = false;
  return {
    assertOpen: () => {
      if (closed) throw new StoreError('unavailable', 'store', 'the store is closed');
    },
    markClosed: () => {
      const was = closed;
      closed = true;
      return !was;
    },
  };
}

function openSqlite(location: string, opts: OpenStoreOptions): Store {
  const path = location === ':memory:' || location === '' ? ':memory:' : resolve(process.cwd(), location);
  const db = new SqliteDatabase(path, { busyTimeoutMs: opts.busyTimeoutMs, sweepIntervalMs: opts.sweepIntervalMs });
  const guard = closedGuard();
  const keyvs = new Map<string, Keyv>();
  const records = new Map<string, AtomicRecords>();
  const keyvFor = (namespace: string) => {
    let keyv = keyvs.get(namespace);
    if (keyv === undefined) {
      keyv = new Keyv({ store: withStoreErrors(new SqliteStore(db), { assertOpen: guard.assertOpen }), namespace, throwOnErrors: true });
      keyvs.set(namespace, keyv);
    }
    return keyv;
  };
  return {
    kind: 'sqlite',
    keyv: keyvFor,
    records(namespace) {
      let found = records.get(namespace);
      if (found === undefined) {
        found = new SqliteRecords(db, namespace, keyvCodec(keyvFor(namespace)), guard.assertOpen);
        records.set(namespace, found);
      }
      return found;
    },
    dedupe: new SqliteDeduper(db),
    locks: new InProcessLockManager(),
    budgets: undefined,
    counters: new SqliteCounters(db, guard.assertOpen),
    stopBus: undefined,
    async ping(signal) {
      signal?.throwIfAborted();
      guard.assertOpen();
      try {
        db.has('');
      } catch (err) {
        throw toStoreError(err, 'ping');
      }
    },
    async close() {
      if (guard.markClosed()) db.close();
    },
  };
}

async function openRedis(url: string, opts: OpenStoreOptions): Promise<Store> {
  const onError = opts.onError ?? (() => {});
  const commandTimeoutMs = opts.commandTimeoutMs ?? 2000;
  const client = createRedisClient(url, {
    commandTimeoutMs,
    connectTimeoutMs: opts.connectTimeoutMs,
    maxReconnectDelayMs: opts.maxReconnectDelayMs,
  });
  // Without an 'error' listener a dropped connection would crash the process.
  client.on('error', (err: unknown) => onError(toStoreError(err, 'connection')));
  await connect(client, opts.connectTimeoutMs ?? 5000);

  const guard = closedGuard();
  const keyvs = new Map<string, Keyv>();
  const records = new Map<string, AtomicRecords>();
  const locks = new RedisLockManager(client, { onError, commandTimeoutMs });
  const stopBus = new RedisStopBus(client, { onError });
  try {
    await withDeadline(stopBus.start(), opts.connectTimeoutMs ?? 5000, 'stop-bus');
  } catch (err) {
    stopBus.close();
    client.destroy();
    throw toStoreError(err, 'connect');
  }
  const keyvFor = (namespace: string) => {
    let keyv = keyvs.get(namespace);
    if (keyv === undefined) {
      const adapter = new KeyvRedis(client, { namespace, throwOnErrors: true, throwOnConnectError: true });
      // As @keyv/redis's createKeyv: the adapter prefixes `namespace::`, so Keyv must not add its own.
      keyv = new Keyv({ store: withStoreErrors(adapter, { assertOpen: guard.assertOpen, timeoutMs: commandTimeoutMs }), namespace, useKeyPrefix: false, throwOnErrors: true });
      keyvs.set(namespace, keyv);
    }
    return keyv;
  };
  return {
    kind: 'redis',
    keyv: keyvFor,
    records(namespace) {
      let found = records.get(namespace);
      if (found === undefined) {
        found = new RedisRecords(client, namespace, keyvCodec(keyvFor(namespace)), { commandTimeoutMs, assertOpen: guard.assertOpen });
        records.set(namespace, found);
      }
      return found;
    },
    dedupe: new RedisDeduper(client, { timeoutMs: commandTimeoutMs }),
    locks,
    budgets: new RedisBudgetLedger(client, { commandTimeoutMs, onError }),
    counters: new RedisCounters(client, { commandTimeoutMs, assertOpen: guard.assertOpen }),
    stopBus,
    async ping(signal) {
      signal?.throwIfAborted();
      guard.assertOpen();
      try {
        await withDeadline((signal === undefined ? client : client.withAbortSignal(signal)).ping(), commandTimeoutMs, 'ping');
      } catch (err) {
        signal?.throwIfAborted();
        throw toStoreError(err, 'ping');
      }
    },
    async close() {
      if (!guard.markClosed()) return;
      await locks.close();
      stopBus.close();
      // close() waits for replies to commands in flight: bounded, as a hung Redis never sends them.
      if (!client.isReady) client.destroy();
      else await withDeadline(client.close(), commandTimeoutMs, 'close').catch(() => client.destroy());
    },
  };
}

/** The first connection, within `timeoutMs`; @redis/client alone would retry forever. */
async function connect(client: RedisClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreError('unavailable', 'connect', `could not connect to Redis within ${timeoutMs}ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(), timedOut]);
  } catch (err) {
    client.destroy();
    throw toStoreError(err, 'connect');
  } finally {
    clearTimeout(timer);
  }
}
