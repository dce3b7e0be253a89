import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
const opened: SqliteStore[] = [];

/** A fresh adapter on `file` each call, as @keyv/sqlite's own suite does: Keyv sets the namespace on the adapter it is given. */
function storeOn(file: string, options: ConstructorParameters<typeof SqliteStore>[1] = {}): SqliteStore {
  const store = new SqliteStore(file, { sweepIntervalMs: 0, ...options });
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.disconnect()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Keyv compliance suite', () => {
  const file = join(dir, 'compliance.sqlite');
  keyvTestSuite(vitest, Keyv, () => storeOn(file));
  keyvIteratorTests(vitest, Keyv, () => storeOn(file));
});

describe('SqliteStore', () => {
  test('conversation data survives a restart of the bot', async () => {
    const file = join(dir, 'nested', 'dir', 'restart.sqlite');
    const before = new Keyv({ store: new SqliteStore(file), namespace: 'history' });
    await before.set('thread-1', { messages: [{ role: 'user', text: 'héllo "quoted"' }] });
    await before.disconnect();

    const after = new Keyv({ store: new SqliteStore(file), namespace: 'history' });
    expect(await after.get('thread-1')).toEqual({ messages: [{ role: 'user', text: 'héllo "quoted"' }] });
    await after.disconnect();
  });

  test('the file is in WAL mode so readers do not block the writer', () => {
    const file = join(dir, 'wal.sqlite');
    storeOn(file);
    const raw = new DatabaseSync(file);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
  });

  test('an expired entry is not returned, not counted, and is swept from the file', async () => {
    let now = 1_000_000;
    const file = join(dir, 'ttl.sqlite');
    const store = storeOn(file, { now: () => now });
    const keyv = new Keyv({ store, namespace: 'dedupe' });
    await keyv.set('short', 'gone soon', 1000);
    await keyv.set('forever', 'kept');

    now += 1001;
    // The raw adapter, so Keyv's own expiry check cannot hide a store bug.
    expect(await store.get('dedupe:short')).toBeUndefined();
    expect(await store.has('dedupe:short')).toBe(false);
    expect(await store.delete('dedupe:short')).toBe(false);
    await keyv.set('short2', 'gone soon', 1000);
    now += 1001;
    expect(store.sweep()).toBe(1);

    const raw = new DatabaseSync(file);
    expect(raw.prepare('SELECT key FROM keyv ORDER BY key').all()).toEqual([{ key: 'dedupe:forever' }]);
    raw.close();
  });

  test('clearing one namespace keeps the others, including ones with LIKE wildcards in their name', async () => {
    const file = join(dir, 'namespaces.sqlite');
    const a = new Keyv({ store: storeOn(file), namespace: 'a_%' });
    const b = new Keyv({ store: storeOn(file), namespace: 'ab%' });
    await a.set('k', 1);
    await b.set('k', 2);
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe(2);
  });

  test('many concurrent writers and readers in one process each see their own value', async () => {
    const file = join(dir, 'concurrent.sqlite');
    const keyvs = [new Keyv({ store: storeOn(file) }), new Keyv({ store: storeOn(file) })];
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const keyv = keyvs[i % 2]!;
        await keyv.set(`k${i % 20}-${i}`, { i });
        await keyv.set(`shared-${i % 20}`, { last: i });
        return (await keyv.get(`k${i % 20}-${i}`)) as { i: number } | undefined;
      }),
    );
    expect(results.map((r) => r?.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const shared = (await keyvs[0]!.get('shared-7')) as { last: number };
    expect(shared.last % 20).toBe(7);
  });

  test('an in-memory store keeps values while open', async () => {
    const keyv = new Keyv({ store: storeOn(':memory:') });
    await keyv.set('a', { b: [1, 2, null] });
    expect(await keyv.get('a')).toEqual({ b: [1, 2, null] });
  });
});
