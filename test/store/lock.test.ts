import { afterEach, describe, expect, test, vi } from 'vitest';
import { InProcessLockManager, type Lock } from '../../src/store/lock.ts';

const live = () => new AbortController().signal;

describe('InProcessLockManager', () => {
  afterEach(() => vi.useRealTimers());

  test('a second turn on the same thread waits for the first, and turns start in arrival order', async () => {
    const locks = new InProcessLockManager();
    const order: string[] = [];
    const first = (await locks.acquire('thread-1', { ttlMs: 1000, signal: live() }))!;
    const waiting = ['second', 'third', 'fourth'].map((name) =>
      locks.acquire('thread-1', { ttlMs: 1000, signal: live() }).then(async (lock) => {
        order.push(name);
        await lock!.release();
      }),
    );
    // Another thread is not held up.
    const other = await locks.acquire('thread-2', { ttlMs: 1000, signal: live(), waitMs: 0 });
    expect(other).toBeDefined();
    expect(order).toEqual([]);
    await first.release();
    await Promise.all(waiting);
    expect(order).toEqual(['second', 'third', 'fourth']);
  });

  test('waitMs 0 answers at once that the thread is busy', async () => {
    const locks = new InProcessLockManager();
    await locks.acquire('t', { ttlMs: 1000, signal: live() });
    expect(await locks.acquire('t', { ttlMs: 1000, signal: live(), waitMs: 0 })).toBeUndefined();
  });

  test('a waiter gives up after waitMs and leaves the queue', async () => {
    vi.useFakeTimers();
    const locks = new InProcessLockManager();
    const holder = (await locks.acquire('t', { ttlMs: 1000, signal: live() }))!;
    const impatient = locks.acquire('t', { ttlMs: 1000, signal: live(), waitMs: 500 });
    const patient = locks.acquire('t', { ttlMs: 1000, signal: live() });
    await vi.advanceTimersByTimeAsync(500);
    expect(await impatient).toBeUndefined();
    await holder.release();
    expect(await patient).toBeDefined();
  });

  test('aborting a wait rejects with the reason and does not take the lock later', async () => {
    const locks = new InProcessLockManager();
    const holder = (await locks.acquire('t', { ttlMs: 1000, signal: live() }))!;
    const controller = new AbortController();
    const waiting = locks.acquire('t', { ttlMs: 1000, signal: controller.signal });
    controller.abort(new Error('turn reset'));
    await expect(waiting).rejects.toThrow('turn reset');
    await holder.release();
    expect(await locks.acquire('t', { ttlMs: 1000, signal: live(), waitMs: 0 })).toBeDefined();
  });

  test('releasing twice does not release the next holder', async () => {
    const locks = new InProcessLockManager();
    const first = (await locks.acquire('t', { ttlMs: 1000, signal: live() }))!;
    const next = locks.acquire('t', { ttlMs: 1000, signal: live() });
    await first.release();
    const second: Lock = (await next)!;
    await first.release();
    expect(await locks.acquire('t', { ttlMs: 1000, signal: live(), waitMs: 0 })).toBeUndefined();
    expect(second.lost).toBe(false);
  });
});
