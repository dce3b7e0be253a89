import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { LockLostError } from '../../src/store/lock.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { createRedisClient, type RedisClient } from '../../src/store/redis-client.ts';
import { describeRedis, type RedisServer, startRedisServer } from '../support/redis-server.ts';

const live = () => new AbortController().signal;

describeRedis('Redis locks between bot instances', () => {
  let redis: RedisServer;
  let raw: RedisClient;
  const opened: Store[] = [];
  let keyCounter = 0;
  /** A fresh key per test, so tests never see each other's queues. */
  let key = '';

  async function open(opts: Parameters<typeof openStore>[1] = {}): Promise<Store> {
    const store = await openStore(redis.url, opts);
    opened.push(store);
    return store;
  }

  /** Waits until `n` waiters are queued for `key`: the point where arrival order is fixed. */
  async function queued(n: number): Promise<void> {
    for (let tries = 0; tries < 1000; tries++) {
      if ((await raw.zCard(`lock::${key}::queue`)) >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`never saw ${n} queued waiters`);
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = createRedisClient(redis.url);
    await raw.connect();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    key = `thread-${++keyCounter}`;
  });
  afterAll(async () => {
    raw?.destroy();
    await redis?.stop();
  });
  key = `thread-${++keyCounter}`;

  test('a second instance waits while the first answers in the thread, then takes over', async () => {
    const a = await open();
    const b = await open();
    const lockA = (await a.locks.acquire(key, { ttlMs: 5000, signal: live() }))!;
    expect(await b.locks.acquire(key, { ttlMs: 5000, signal: live(), waitMs: 0 })).toBeUndefined();

    let bHolds = false;
    const waitingB = b.locks.acquire(key, { ttlMs: 5000, signal: live() }).then((lock) => {
      bHolds = true;
      return lock;
    });
    await queued(1);
    expect(bHolds).toBe(false);
    await lockA.release();
    const lockB = await waitingB;
    expect(lockB).toBeDefined();
    expect(await a.locks.acquire(key, { ttlMs: 5000, signal: live(), waitMs: 0 })).toBeUndefined();
  });

  test('waiters from different instances are served in arrival order', async () => {
    const a = await open();
    const b = await open();
    const order: string[] = [];
    const holder = (await a.locks.acquire(key, { ttlMs: 5000, signal: live() }))!;
    const turn = (store: Store, name: string) =>
      store.locks.acquire(key, { ttlMs: 5000, signal: live() }).then(async (lock) => {
        order.push(name);
        await lock!.release();
      });
    const first = turn(b, 'b-first');
    await queued(1);
    const second = turn(a, 'a-second');
    await queued(2);
    const third = turn(b, 'b-third');
    await queued(3);
    await holder.release();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['b-first', 'a-second', 'b-third']);
  });

  test('a live holder keeps its lock past the ttl by renewing it', async () => {
    const a = await open();
    const b = await open();
    const lockA = (await a.locks.acquire(key, { ttlMs: 400, signal: live() }))!;
    // Waiting several ttls: without renewal the key would have expired by then.
    expect(await b.locks.acquire(key, { ttlMs: 400, signal: live(), waitMs: 1500 })).toBeUndefined();
    expect(lockA.lost).toBe(false);
  });

  test('the lock of an instance that crashed expires and another instance takes it', async () => {
    const b = await open();
    const openStoreUrl = fileURLToPath(new URL('../../src/store/open-store.ts', import.meta.url));
    const script = `
      const { openStore } = await import(${JSON.stringify(openStoreUrl)});
      const store = await openStore(process.argv[1]);
      await store.locks.acquire(${JSON.stringify(key)}, { ttlMs: 1000, signal: new AbortController().signal });
      console.log('held');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, redis.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      expect(line).toBe('held');
      expect(await b.locks.acquire(key, { ttlMs: 300, signal: live(), waitMs: 0 })).toBeUndefined();
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const lockB = await b.locks.acquire(key, { ttlMs: 300, signal: live(), waitMs: 10_000 });
    expect(lockB).toBeDefined();
  });

  test('a holder whose lock expired cannot release the next holder\'s lock', async () => {
    const a = await open();
    const b = await open();
    const lockA = (await a.locks.acquire(key, { ttlMs: 5000, signal: live() }))!;
    // As if A stalled past its ttl: the key is gone and B takes the lock.
    await raw.del(`lock::${key}`);
    const lockB = (await b.locks.acquire(key, { ttlMs: 5000, signal: live(), waitMs: 0 }))!;
    expect(lockB).toBeDefined();
    const heldByB = await raw.get(`lock::${key}`);

    await lockA.release();
    expect(await raw.get(`lock::${key}`)).toBe(heldByB);
    expect(await a.locks.acquire(key, { ttlMs: 5000, signal: live(), waitMs: 0 })).toBeUndefined();
  });

  test('a holder learns it lost the lock when someone else has it', async () => {
    const a = await open();
    const lockA = (await a.locks.acquire(key, { ttlMs: 90, signal: live() }))!;
    await raw.set(`lock::${key}`, 'someone-else');
    await new Promise((resolve) => lockA.signal.addEventListener('abort', resolve, { once: true }));
    expect(lockA.lost).toBe(true);
    await lockA.release();
    expect(await raw.get(`lock::${key}`)).toBe('someone-else');
  });

  test('a holder whose renewals fail for longer than the ttl is told through its signal', async () => {
    const a = await open({ commandTimeoutMs: 100 });
    const lockA = (await a.locks.acquire(key, { ttlMs: 300, signal: live() }))!;
    const lost = new Promise((resolve) => lockA.signal.addEventListener('abort', () => resolve(lockA.signal.reason), { once: true }));
    // Paused, Redis cannot renew the key, yet its clock runs: the key expires while the holder is cut off.
    redis.pause();
    try {
      expect(await lost).toBeInstanceOf(LockLostError);
      expect(lockA.lost).toBe(true);
    } finally {
      redis.resume();
    }
    const b = await open();
    expect(await b.locks.acquire(key, { ttlMs: 5000, signal: live(), waitMs: 5000 })).toBeDefined();
  });

  test('a released lock never reports itself lost', async () => {
    const a = await open();
    const lockA = (await a.locks.acquire(key, { ttlMs: 60, signal: live() }))!;
    await lockA.release();
    await raw.set(`lock::${key}`, 'someone-else');
    const b = await open();
    // Several of A's renewal periods pass while B waits in vain.
    expect(await b.locks.acquire(key, { ttlMs: 60, signal: live(), waitMs: 300 })).toBeUndefined();
    expect(lockA.signal.aborted).toBe(false);
  });

  test('a waiter that gives up leaves the queue, so it does not hold up the next one', async () => {
    const a = await open();
    const b = await open();
    const holder = (await a.locks.acquire(key, { ttlMs: 5000, signal: live() }))!;
    const controller = new AbortController();
    const giving = b.locks.acquire(key, { ttlMs: 5000, signal: controller.signal });
    await queued(1);
    controller.abort(new Error('turn cancelled'));
    await expect(giving).rejects.toThrow('turn cancelled');
    await holder.release();
    expect(await b.locks.acquire(key, { ttlMs: 5000, signal: live(), waitMs: 0 })).toBeDefined();
  });
});
