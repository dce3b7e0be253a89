/**
 * The history store under a realistic thread: 50 turns (a question and a
 * ~2,000-character answer each), as HistoryStore keeps it. Every turn the core
 * loads the thread once and appends once (a read-modify-write of the whole
 * record), so both are timed: each append as the thread grows to 50 turns
 * (a read and a write of the record), and loads of the full 50-turn thread. SQLite in a file in a temp dir; Redis on a real
 * redis-server when the binary is installed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryStore } from '../src/history/store.ts';
import { openStore, type Store } from '../src/store/open-store.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { answerFor } from '../test/fakes/paced-upstream.ts';
import { spread, type Spread } from './stats.ts';

const THREADS = 10;
const TURNS = 50;
const LOADS_PER_THREAD = 20;

export interface StoreSummary {
  readonly backend: 'sqlite' | 'redis';
  readonly appendMs: Spread;
  readonly load50TurnsMs: Spread;
  readonly recordKb: number;
}

export type StoreResult = StoreSummary | { readonly backend: 'redis'; readonly skipped: string };

async function measure(store: Store, backend: 'sqlite' | 'redis'): Promise<StoreSummary> {
  const history = new HistoryStore(store.keyv('history'), { records: store.records('history') });
  const appends: number[] = [];
  const loads: number[] = [];
  const answer = answerFor('store', 2000);
  for (let t = 0; t < THREADS; t++) {
    const conversationId = `bench:store:${t}`;
    for (let turn = 0; turn < TURNS; turn++) {
      const at = Date.now();
      const turnId = `${t}-${turn}`;
      const started = performance.now();
      await history.append(
        conversationId,
        { role: 'user', turnId, authorId: 'u1', authorName: 'Ada', text: `question ${turn}: how does this work?`, attachments: [], at },
        { role: 'assistant', turnId, model: 'gemini-2.5-pro', text: answer, status: 'complete', at },
      );
      appends.push(performance.now() - started);
    }
    for (let i = 0; i < LOADS_PER_THREAD; i++) {
      const started = performance.now();
      const loaded = await history.load(conversationId);
      loads.push(performance.now() - started);
      if (loaded.messages.length !== TURNS * 2) throw new Error(`loaded ${loaded.messages.length} messages, expected ${TURNS * 2}`);
    }
  }
  const record = JSON.stringify(await store.keyv('history').get('conversation:bench:store:0'));
  return { backend, appendMs: spread(appends), load50TurnsMs: spread(loads), recordKb: Math.round(record.length / 1024) };
}

export async function runSqliteStore(): Promise<StoreSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-store-'));
  const store = await openStore(`sqlite://${join(dir, 'bench.sqlite')}`);
  try {
    return await measure(store, 'sqlite');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runRedisStore(): Promise<StoreResult> {
  let redis;
  try {
    redis = await startRedisServer();
  } catch (error) {
    return { backend: 'redis', skipped: error instanceof Error ? error.message : String(error) };
  }
  try {
    const store = await openStore(redis.url);
    try {
      return await measure(store, 'redis');
    } finally {
      await store.close();
    }
  } finally {
    await redis.stop();
  }
}
