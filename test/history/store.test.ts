import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { StoredMessage } from '../../src/history/record.ts';
import { HistoryStore, type HistoryStoreOptions } from '../../src/history/store.ts';
import { KeyvRecords } from '../../src/store/atomic-records.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { describeRedis, type RedisServer, startRedisServer } from '../support/redis-server.ts';

/** One bot instance's view of the history: its own HistoryStore (and, on Redis, its own connection). */
type Instance = (opts?: Omit<HistoryStoreOptions, 'records'>) => Promise<{ history: HistoryStore; keyv: Keyv }>;

const exchange = (turn: string, askedAt: number, answer = `answer ${turn}`): StoredMessage[] => [
  { role: 'user', turnId: turn, authorId: 'u1', authorName: 'Ada', text: `question ${turn}`, attachments: [], at: askedAt },
  { role: 'assistant', turnId: turn, model: 'gemini-2.5-pro', text: answer, status: 'complete', at: askedAt + 1 },
];

const texts = async (history: HistoryStore, id = 'c1') => (await history.load(id)).messages.map((m) => m.text);

function historyTests(instance: Instance) {
  test('exchanges appended at the same time by two instances, without the turn lock, are all kept', async () => {
    const [a, b] = [await instance(), await instance()];
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).history.append('c1', ...exchange(`t${i}`, i * 10))));
    expect(await texts(a.history)).toEqual(Array.from({ length: 20 }, (_, i) => [`question t${i}`, `answer t${i}`]).flat());
  });

  test('an exchange stored late (its lock was lost, or it waited for the store) reads where it was asked', async () => {
    const { history } = await instance();
    await history.append('c1', ...exchange('second', 200));
    await history.append('c1', ...exchange('first', 100));
    await history.append('c1', ...exchange('third', 300));
    expect(await texts(history)).toEqual(['question first', 'answer first', 'question second', 'answer second', 'question third', 'answer third']);
  });

  test('a retried write that had landed does not store the exchange twice', async () => {
    const { history } = await instance();
    const same = exchange('t1', 100);
    await history.append('c1', ...same);
    await history.append('c1', ...same);
    expect(await texts(history)).toEqual(['question t1', 'answer t1']);
  });

  test('history keeps the newest 400 messages', async () => {
    const { history } = await instance();
    for (let i = 0; i < 201; i++) await history.append('c1', ...exchange(`t${i}`, i));
    const stored = await texts(history);
    expect(stored).toHaveLength(400);
    expect(stored[0]).toBe('question t1');
    expect(stored.at(-1)).toBe('answer t200');
  });

  test('a record that no longer parses is kept aside, not overwritten by the next exchange', async () => {
    const { history, keyv } = await instance();
    const damaged = { version: 7, turns: ['from a future version'] };
    await keyv.set('conversation:c1', damaged);
    expect(await history.load('c1')).toEqual({ messages: [], unreadable: 1 });

    vi.useFakeTimers({ toFake: ['Date'], now: 1_750_000_000_000 });
    try {
      await history.append('c1', ...exchange('t1', 100));
    } finally {
      vi.useRealTimers();
    }
    expect(await texts(history)).toEqual(['question t1', 'answer t1']);
    expect(await keyv.get('conversation:c1:unreadable:1750000000000')).toEqual(damaged);
  });

  test('a regenerated exchange replaces the old one where it stood, keeping what the turn read in, not added as a second one', async () => {
    const { history } = await instance();
    const readIn: StoredMessage = { role: 'user', turnId: 't2', authorId: 'u2', authorName: 'Bo', text: 'said before', attachments: [], at: 150, readIn: true };
    await history.append('c1', ...exchange('t1', 100));
    await history.append('c1', readIn, ...exchange('t2', 200));
    await history.replaceExchange('c1', 't2', exchange('t2', 200, 'a better answer'));
    expect(await texts(history)).toEqual(['question t1', 'answer t1', 'said before', 'question t2', 'a better answer']);
    // Replacing again with the same (a retried write) changes nothing.
    await history.replaceExchange('c1', 't2', exchange('t2', 200, 'a better answer'));
    expect(await texts(history)).toEqual(['question t1', 'answer t1', 'said before', 'question t2', 'a better answer']);
  });

  test('a regeneration that finishes after a reset is stored as a new exchange', async () => {
    const { history } = await instance();
    await history.replaceExchange('c1', 't9', exchange('t9', 900, 'after the reset'));
    expect(await texts(history)).toEqual(['question t9', 'after the reset']);
  });

  test('votes of several people at once are all kept; a second vote of one person replaces the first', async () => {
    const [a, b] = [await instance(), await instance()];
    await a.history.append('c1', ...exchange('t1', 100));
    const changes = await Promise.all(['u1', 'u2', 'u3'].map((user, i) => (i % 2 ? b : a).history.rate('c1', 't1', user, 'up')));
    expect(changes).toEqual(Array(3).fill({ model: 'gemini-2.5-pro', previous: undefined }));
    expect(await a.history.rate('c1', 't1', 'u2', 'down')).toEqual({ model: 'gemini-2.5-pro', previous: 'up' });
    const answer = (await a.history.load('c1')).messages.at(-1);
    expect(answer?.role === 'assistant' && answer.feedback).toEqual({ u1: 'up', u2: 'down', u3: 'up' });
    expect(await a.history.rate('c1', 'gone', 'u1', 'up')).toBeUndefined();
  });

  test('a conversation expires after HISTORY_TTL_DAYS without use, and each exchange pushes that back', async () => {
    const ttlMs = 90 * 24 * 3600_000;
    const { history, keyv } = await instance({ ttlMs });
    const expiresAt = async () => ((await keyv.get('conversation:c1', { raw: true })) as { expires?: number } | undefined)?.expires;
    vi.useFakeTimers({ toFake: ['Date'], now: 1_750_000_000_000 });
    try {
      await history.append('c1', ...exchange('t1', 100));
      expect(await expiresAt()).toBe(1_750_000_000_000 + ttlMs);
      vi.setSystemTime(1_750_000_000_000 + 3600_000);
      await history.append('c1', ...exchange('t2', 200));
      expect(await expiresAt()).toBe(1_750_000_000_000 + 3600_000 + ttlMs);
    } finally {
      vi.useRealTimers();
    }
  });
}

describe('history in memory (one process)', () => {
  let keyv = new Keyv();
  // One process: its HistoryStores share the one in-process serialisation of updates.
  let records = new KeyvRecords(keyv);
  afterEach(() => {
    keyv = new Keyv();
    records = new KeyvRecords(keyv);
  });
  historyTests(async (opts) => ({ history: new HistoryStore(keyv, { ...opts, records }), keyv }));
});

describe('history on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-store-'));
  const opened: Store[] = [];
  let file = '';
  let files = 0;
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    file = join(dir, `bot-${++files}.sqlite`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  file = join(dir, `bot-${++files}.sqlite`);
  historyTests(async (opts) => {
    const store = await openStore(`sqlite://${file}`);
    opened.push(store);
    return { history: new HistoryStore(store.keyv('history'), { ...opts, records: store.records('history') }), keyv: store.keyv('history') };
  });

  test('an expired conversation is gone from the file', async () => {
    const store = await openStore(`sqlite://${file}`);
    opened.push(store);
    const history = new HistoryStore(store.keyv('history'), { records: store.records('history'), ttlMs: 1000 });
    vi.useFakeTimers({ toFake: ['Date'], now: 1_750_000_000_000 });
    try {
      await history.append('c1', ...exchange('t1', 100));
      vi.setSystemTime(1_750_000_000_000 + 1001);
      expect(await history.has('c1')).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describeRedis('history on Redis', () => {
  let redis: RedisServer;
  const opened: Store[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await opened[0]?.keyv('history').clear();
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });
  historyTests(async (opts) => {
    // Each instance its own connection, as two bot processes have.
    const store = await openStore(redis.url);
    opened.push(store);
    return { history: new HistoryStore(store.keyv('history'), { ...opts, records: store.records('history') }), keyv: store.keyv('history') };
  });

  test('the conversation key carries its ttl in Redis, so Redis itself forgets it', async () => {
    const store = await openStore(redis.url);
    opened.push(store);
    await new HistoryStore(store.keyv('history'), { records: store.records('history'), ttlMs: 5000 }).append('c1', ...exchange('t1', 100));
    const { createRedisClient } = await import('../../src/store/redis-client.ts');
    const raw = createRedisClient(redis.url);
    await raw.connect();
    try {
      const ttl = await raw.pTTL('history::conversation:c1');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5000);
    } finally {
      raw.destroy();
    }
  });
});
