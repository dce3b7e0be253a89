import { afterEach, describe, expect, test } from 'vitest';
import { BotMetrics } from '../../src/observability/metrics.ts';
import { instrumentStore } from '../../src/observability/instrument-store.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function instrumented() {
  const inner = await openStore('sqlite://:memory:');
  stores.push(inner);
  const metrics = new BotMetrics({ processMetrics: false });
  return { store: instrumentStore(inner, metrics), metrics };
}

describe('instrumentStore', () => {
  test('history operations still work and each one is timed by namespace and operation', async () => {
    const { store, metrics } = await instrumented();
    const history = store.keyv('history');
    await history.set('thread-1', [{ role: 'user', text: 'hi' }]);
    expect(await history.get('thread-1')).toEqual([{ role: 'user', text: 'hi' }]);
    expect(store.keyv('history')).toBe(history);
    const text = await metrics.registry.metrics();
    expect(text).toContain('bot_store_operation_seconds_count{operation="history.set",result="ok"} 1');
    expect(text).toContain('bot_store_operation_seconds_count{operation="history.get",result="ok"} 1');
  });

  test('a failing operation is timed as an error and still reaches the caller', async () => {
    const { store, metrics } = await instrumented();
    await store.close();
    await expect(store.keyv('settings').get('x')).rejects.toThrow();
    await expect(store.ping()).rejects.toThrow();
    const text = await metrics.registry.metrics();
    expect(text).toContain('bot_store_operation_seconds_count{operation="settings.get",result="error"} 1');
    expect(text).toContain('bot_store_operation_seconds_count{operation="ping",result="error"} 1');
  });

  test('a message queued behind an answer in progress has its wait recorded', async () => {
    const { store, metrics } = await instrumented();
    const signal = new AbortController().signal;
    const first = await store.locks.acquire('turn:thread-1', { ttlMs: 60_000, signal });
    const second = store.locks.acquire('turn:thread-1', { ttlMs: 60_000, signal });
    await first?.release();
    await (await second)?.release();
    // Other locks (not a conversation's turn) are not queue waits.
    await (await store.locks.acquire('other:x', { ttlMs: 1000, signal }))?.release();
    expect(await metrics.registry.metrics()).toContain('bot_turn_queue_wait_seconds_count 2');
  });
});
