/**
 * The store's counters, on SQLite and on a real Redis: what quotas rely on to be
 * shared by instances — atomic additions, expiry, and the ranking of who spent most.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { createRedisClient } from '../../src/store/redis-client.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { describeRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';

const HOUR = 3_600_000;

function counterSuite(name: string, url: () => string) {
  describe(name, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await openStore(url());
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    test('counters start at 0 and add up; one addition reaches every counter and ranking', async () => {
      const { counters } = await open();
      expect(await counters.read(['a', 'b'])).toEqual([0, 0]);
      const later = Date.now() + HOUR;
      await counters.add({ counters: ['a', 'b'], rankings: [{ key: 'rank', member: 'alice' }], amount: 30, expiresAt: later });
      await counters.add({ counters: ['a'], rankings: [{ key: 'rank', member: 'bob' }], amount: 12, expiresAt: later });
      expect(await counters.read(['a', 'b', 'c'])).toEqual([42, 30, 0]);
      expect(await counters.top('rank', 5)).toEqual([
        { member: 'alice', amount: 30 },
        { member: 'bob', amount: 12 },
      ]);
    });

    test('the ranking lists the highest first, at most as many as asked', async () => {
      const { counters } = await open();
      const later = Date.now() + HOUR;
      for (const [member, amount] of [['u1', 5], ['u2', 50], ['u3', 20], ['u2', 1], ['u4', 7]] as const) {
        await counters.add({ counters: [], rankings: [{ key: 'r', member }], amount, expiresAt: later });
      }
      expect(await counters.top('r', 3)).toEqual([
        { member: 'u2', amount: 51 },
        { member: 'u3', amount: 20 },
        { member: 'u4', amount: 7 },
      ]);
      expect(await counters.top('nobody', 5)).toEqual([]);
    });

    test('an expired counter reads 0 and starts again from the next addition', async () => {
      const { counters } = await open();
      await counters.add({ counters: ['day'], rankings: [{ key: 'day-rank', member: 'alice' }], amount: 500, expiresAt: Date.now() - 1 });
      expect(await counters.read(['day'])).toEqual([0]);
      expect(await counters.top('day-rank', 5)).toEqual([]);
      await counters.add({ counters: ['day'], rankings: [{ key: 'day-rank', member: 'alice' }], amount: 7, expiresAt: Date.now() + HOUR });
      expect(await counters.read(['day'])).toEqual([7]);
      expect(await counters.top('day-rank', 5)).toEqual([{ member: 'alice', amount: 7 }]);
    });

    test('two stores adding at once never lose an addition', async () => {
      const [one, two] = [await open(), await open()];
      const later = Date.now() + HOUR;
      const add = (store: Store) => store.counters.add({ counters: ['shared'], rankings: [{ key: 'shared-rank', member: 'alice' }], amount: 3, expiresAt: later });
      await Promise.all(Array.from({ length: 100 }, (_, i) => add(i % 2 === 0 ? one : two)));
      expect(await one.counters.read(['shared'])).toEqual([300]);
      expect(await two.counters.top('shared-rank', 1)).toEqual([{ member: 'alice', amount: 300 }]);
    });

    test('a closed store rejects with StoreError', async () => {
      const store = await openStore(url());
      await store.close();
      await expect(store.counters.read(['a'])).rejects.toBeInstanceOf(StoreError);
      await expect(store.counters.add({ counters: ['a'], rankings: [], amount: 1, expiresAt: Date.now() + HOUR })).rejects.toBeInstanceOf(StoreError);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'counters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let file = 0;
describe('on SQLite', () => {
  // A file per test: two stores on it are two connections, as two processes would hold.
  afterEach(() => {
    file++;
  });
  counterSuite('counters', () => `sqlite://${join(dir, `counters-${file}.sqlite`)}`);
});

describeRedis('on Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    // Each test starts from an empty Redis.
    const client = createRedisClient(redis.url);
    await client.connect();
    await client.flushAll();
    client.destroy();
  });
  counterSuite('counters', () => redis.url);
});
