import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { describeRedis, type RedisServer, startRedisServer } from '../support/redis-server.ts';

const history = { thread: 'slack:C1:1712.0001', messages: [{ role: 'user', text: 'héllo', n: 1, ok: true, none: null }] };

const opened: Store[] = [];
async function open(url: string): Promise<Store> {
  const store = await openStore(url);
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

describe('openStore with sqlite://', () => {
  const dir = mkdtempSync(join(tmpdir(), 'open-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a relative path is resolved from the working directory and keeps history across a restart', async () => {
    const url = `sqlite://./${relative(process.cwd(), join(dir, 'data', 'bot.sqlite'))}`;
    const first = await openStore(url);
    expect(first.kind).toBe('sqlite');
    await first.keyv('history').set('t1', history);
    expect(await first.dedupe.firstSeen('evt-1', 60_000)).toBe(true);
    await first.close();

    const second = await open(url);
    expect(await second.keyv('history').get('t1')).toEqual(history);
    // The restarted bot still knows it answered this Slack event.
    expect(await second.dedupe.firstSeen('evt-1', 60_000)).toBe(false);
  });

  test('namespaces do not see each other, even in memory', async () => {
    const store = await open('sqlite://:memory:');
    await store.keyv('history').set('k', 'h');
    await store.keyv('settings').set('k', 's');
    await store.keyv('settings').clear();
    expect(await store.keyv('history').get('k')).toBe('h');
    expect(await store.keyv('settings').get('k')).toBeUndefined();
  });

  test('a closed store rejects with StoreError instead of touching a closed file', async () => {
    const store = await openStore('sqlite://:memory:');
    await store.close();
    await expect(store.keyv('history').get('k')).rejects.toBeInstanceOf(StoreError);
    await expect(store.ping()).rejects.toMatchObject({ kind: 'unavailable' });
  });

  test('an unknown scheme is refused without echoing the URL', async () => {
    await expect(openStore('mongodb://user:secret@host/db')).rejects.toThrow(/scheme mongodb/);
    await expect(openStore('mongodb://user:secret@host/db')).rejects.not.toThrow(/secret/);
  });
});

describeRedis('openStore with redis://', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('history written by one instance is read by another', async () => {
    const a = await open(redis.url);
    const b = await open(redis.url);
    expect(a.kind).toBe('redis');
    await a.keyv('history').set('t1', history);
    expect(await b.keyv('history').get('t1')).toEqual(history);
    await b.keyv('history').delete('t1');
    expect(await a.keyv('history').get('t1')).toBeUndefined();
  });

  test('clearing one namespace leaves the others and the dedupe keys alone', async () => {
    const store = await open(redis.url);
    await store.keyv('settings').set('k', 's');
    await store.keyv('history').set('k', 'h');
    expect(await store.dedupe.firstSeen('evt-clear', 60_000)).toBe(true);
    await store.keyv('settings').clear();
    expect(await store.keyv('settings').get('k')).toBeUndefined();
    expect(await store.keyv('history').get('k')).toBe('h');
    expect(await store.dedupe.firstSeen('evt-clear', 60_000)).toBe(false);
  });

  test('a Slack event retried to a second instance is answered once', async () => {
    const a = await open(redis.url);
    const b = await open(redis.url);
    const results = await Promise.all([a.dedupe.firstSeen('Ev123', 60_000), b.dedupe.firstSeen('Ev123', 60_000)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await b.dedupe.firstSeen('Ev124', 60_000)).toBe(true);
  });

  test('a bot whose Redis is down at start-up fails to start promptly', async () => {
    const down = await startRedisServer();
    await down.stop();
    await expect(openStore(down.url, { connectTimeoutMs: 300 })).rejects.toMatchObject({ name: 'StoreError', kind: 'unavailable' });
  });
});
