import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { SqliteDeduper } from '../../src/store/dedupe.ts';
import { SqliteDatabase } from '../../src/store/sqlite-database.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

describe('SqliteDeduper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dedupe-'));
  const opened: SqliteDatabase[] = [];
  const openDb = (file: string, now?: () => number) => {
    const db = new SqliteDatabase(file, { sweepIntervalMs: 0, now });
    opened.push(db);
    return db;
  };
  afterEach(() => opened.splice(0).forEach((db) => db.close()));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a retried event is answered once, even when the retries arrive together', async () => {
    const dedupe = new SqliteDeduper(openDb(join(dir, 'together.sqlite')));
    const seen = await Promise.all(Array.from({ length: 20 }, () => dedupe.firstSeen('Ev1', 60_000)));
    expect(seen.filter(Boolean)).toHaveLength(1);
    expect(await dedupe.firstSeen('Ev2', 60_000)).toBe(true);
  });

  test('two processes on the same file agree on who answers', async () => {
    const file = join(dir, 'two-processes.sqlite');
    const a = new SqliteDeduper(openDb(file));
    const b = new SqliteDeduper(openDb(file));
    expect(await a.firstSeen('Ev1', 60_000)).toBe(true);
    expect(await b.firstSeen('Ev1', 60_000)).toBe(false);
  });

  test('an event is new again once its ttl has passed', async () => {
    let now = 5_000_000;
    const dedupe = new SqliteDeduper(openDb(join(dir, 'ttl.sqlite'), () => now));
    expect(await dedupe.firstSeen('Ev1', 1000)).toBe(true);
    now += 999;
    expect(await dedupe.firstSeen('Ev1', 1000)).toBe(false);
    now += 2;
    expect(await dedupe.firstSeen('Ev1', 1000)).toBe(true);
  });

  test('dedupe rows are ordinary Keyv entries in the dedupe namespace', async () => {
    const db = openDb(join(dir, 'keyv.sqlite'));
    await new SqliteDeduper(db).firstSeen('Ev1', 60_000);
    const keyv = new Keyv({ store: new SqliteStore(db), namespace: 'dedupe' });
    expect(await keyv.get('Ev1')).toBe(true);
  });
});
