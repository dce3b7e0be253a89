import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { describeRedis, type RedisServer, startRedisServer } from '../support/redis-server.ts';

const live = () => new AbortController().signal;
const unavailable = { name: 'StoreError', kind: 'unavailable' };

/** Retries `ping` until the store has reconnected by itself; the reconnect is what is awaited. */
async function reconnected(store: Store): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      return await store.ping();
    } catch (err) {
      if (!(err instanceof StoreError) || tries > 500) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describeRedis('when Redis goes away', () => {
  let redis: RedisServer;
  let store: Store;
  const background: StoreError[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    redis.resume();
    await redis.start();
    await store?.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('operations fail with StoreError while it is down and work again once it is back', async () => {
    store = await openStore(redis.url, { commandTimeoutMs: 1000, maxReconnectDelayMs: 100, onError: (err) => background.push(err) });
    await store.keyv('history').set('t1', { messages: ['before'] });

    await redis.stop();
    await expect(store.keyv('history').get('t1')).rejects.toMatchObject(unavailable);
    await expect(store.keyv('history').set('t1', { messages: ['during'] })).rejects.toMatchObject(unavailable);
    await expect(store.dedupe.firstSeen('Ev1', 60_000)).rejects.toMatchObject(unavailable);
    await expect(store.locks.acquire('thread', { ttlMs: 1000, signal: live() })).rejects.toMatchObject(unavailable);
    await expect(store.ping()).rejects.toMatchObject(unavailable);
    // The dropped connection was reported for the owner to log, not thrown at nobody.
    expect(background.some((err) => err.operation === 'connection')).toBe(true);

    await redis.start();
    await reconnected(store);
    await store.keyv('history').set('t1', { messages: ['after'] });
    expect(await store.keyv('history').get('t1')).toEqual({ messages: ['after'] });
    expect(await store.dedupe.firstSeen('Ev1', 60_000)).toBe(true);
    const lock = await store.locks.acquire('thread', { ttlMs: 1000, signal: live(), waitMs: 0 });
    expect(lock).toBeDefined();
    await lock!.release();
  });

  test('a Redis that stops answering makes operations time out instead of hanging', async () => {
    store = await openStore(redis.url, { commandTimeoutMs: 200 });
    await store.keyv('history').set('t1', 'v');
    redis.pause();
    await expect(store.keyv('history').get('t1')).rejects.toMatchObject(unavailable);
    await expect(store.dedupe.firstSeen('Ev2', 60_000)).rejects.toMatchObject(unavailable);
    redis.resume();
    await reconnected(store);
    expect(await store.keyv('history').get('t1')).toBe('v');
  });
});
