/**
 * Two bot instances (two stores, two schedulers) answering in the same Slack
 * workspace or Discord channel share its write budget through Redis. Real time
 * and a real redis-server: the budget is small (5 writes per 500 ms) and the
 * assertions count writes per window from recorded start times, never durations.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { BudgetLedger } from '../../src/render/budget-ledger.ts';
import { LiveMessage } from '../../src/render/live-message.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { createRedisClient } from '../../src/store/redis-client.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import type { StoreError } from '../../src/store/store-error.ts';
import type { RateScope } from '../../src/surface.ts';
import { busiestWindow, FakeSurface, type WriteRecord } from '../render/fake-surface.ts';
import { describeRedis, type RedisServer, startRedisServer } from '../support/redis-server.ts';

const limit = 5;
const windowMs = 500;

interface Instance {
  readonly surface: FakeSurface;
  readonly scheduler: WriteScheduler;
  readonly lives: LiveMessage[];
  readonly answers: string[];
}

describeRedis('write budgets shared through Redis', () => {
  let redis: RedisServer;
  const stores: Store[] = [];
  const storeErrors: StoreError[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await redis.start();
    await Promise.all(stores.splice(0).map((store) => store.close()));
    storeErrors.length = 0;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function ledger(): Promise<BudgetLedger> {
    const store = await openStore(redis.url, { commandTimeoutMs: 500, maxReconnectDelayMs: 100, onError: (err) => storeErrors.push(err) });
    stores.push(store);
    if (store.budgets === undefined) throw new Error('a Redis store should share its budgets');
    return store.budgets;
  }

  /** One bot instance with `streams` answers in the channel `channel`, its writes counted by `budgets`. */
  function instance(channel: string, budgets: BudgetLedger, streams: number): Instance {
    const scope = (kind: string): RateScope => ({ key: `${channel}:${kind}`, limit, windowMs });
    const surface = new FakeSurface({ post: scope('post'), edit: scope('edit'), latencyMs: 10 });
    const scheduler = new WriteScheduler({ ledger: budgets });
    const lives = Array.from(
      { length: streams },
      () => new LiveMessage({ surface, scheduler, reasoningDisplay: 'off', signal: new AbortController().signal, finalTimeoutMs: 30_000 }),
    );
    return { surface, scheduler, lives, answers: lives.map(() => '') };
  }

  /** Every instance's streams receive a delta every 40 ms for `ticks` ticks, then finish; resolves when all final writes landed. */
  async function answer(instances: Instance[], ticks: number, onTick: (tick: number) => Promise<void> = async () => {}) {
    for (let tick = 0; tick < ticks; tick += 1) {
      for (const [n, one] of instances.entries()) {
        one.lives.forEach((live, i) => {
          const delta = tick === 0 ? `[instance ${n} stream ${i}] ` : `w${tick} `;
          one.answers[i] += delta;
          live.push({ type: 'text', text: delta });
        });
      }
      await onTick(tick);
      // The upstream's pace, not a synchronisation: deltas arrive while writes are queued.
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await Promise.all(instances.flatMap((one) => one.lives.map((live) => live.finish({}))));
  }

  function allWrites(instances: Instance[]): WriteRecord[] {
    return instances.flatMap((one) => one.surface.writes).sort((a, b) => a.at - b.at);
  }

  function expectEveryStreamFinal(instances: Instance[]): void {
    for (const one of instances) {
      expect(one.surface.messages).toHaveLength(one.lives.length);
      for (const text of one.answers) {
        expect(one.surface.messages.filter((m) => m.text === text && m.state === 'final')).toHaveLength(1);
      }
    }
  }

  test('two instances writing to one channel stay under its limit together, and every answer ends complete', async () => {
    const instances = [instance('C-shared', await ledger(), 3), instance('C-shared', await ledger(), 3)];
    await answer(instances, 30);

    const writes = allWrites(instances);
    // Each instance alone would spend the whole budget: the shared count is what keeps the sum under it.
    expect(writes.filter((w) => w.kind === 'edit').length).toBeGreaterThan(limit);
    expect(busiestWindow(writes, 'C-shared:post', windowMs)).toBeLessThanOrEqual(limit);
    expect(busiestWindow(writes, 'C-shared:edit', windowMs)).toBeLessThanOrEqual(limit);
    expectEveryStreamFinal(instances);
    expect(storeErrors).toEqual([]);
  });

  test('a 429 seen by one instance pauses the other instance too', async () => {
    const retryAfterMs = 1500;
    const pauses: Array<{ calledAt: number; recordedAt: number }> = [];
    const shared = await ledger();
    // Instance A's ledger, watched: when A told Redis about the 429 and when Redis had it.
    const watched: BudgetLedger = {
      reserve: (scope, now, keep) => shared.reserve(scope, now, keep),
      async pause(scope, now, forMs) {
        const calledAt = Date.now();
        await shared.pause(scope, now, forMs);
        pauses.push({ calledAt, recordedAt: Date.now() });
      },
    };
    const a = instance('C-429', watched, 2);
    const b = instance('C-429', await ledger(), 2);
    let edits = 0;
    a.surface.failOnce({ kind: 'rate-limited', retryAfterMs }, (w) => w.kind === 'edit' && ++edits === 3);
    await answer([a, b], 40);

    expect(a.scheduler.rateLimitedCount).toBe(1);
    expect(pauses).toHaveLength(1);
    const { calledAt, recordedAt } = pauses[0]!;
    const duringPause = (one: Instance) =>
      one.surface.writes.filter((w) => w.kind === 'edit' && w.at > recordedAt && w.at < calledAt + retryAfterMs);
    // Each scheduler asks the ledger one request at a time, so at most one slot granted just
    // before the pause landed can start after it; unshared, B would edit ~15 times in these 1.5 s.
    expect(duringPause(b).length).toBeLessThanOrEqual(1);
    expect(duringPause(a).length).toBeLessThanOrEqual(1);
    expect(b.surface.writes.some((w) => w.kind === 'edit' && w.at >= calledAt + retryAfterMs)).toBe(true);
    expectEveryStreamFinal([a, b]);
  });

  test('when Redis stops mid-answer the streams still finish, each instance within the limit on its own', async () => {
    const instances = [instance('C-outage', await ledger(), 2), instance('C-outage', await ledger(), 2)];
    await answer(instances, 30, async (tick) => {
      if (tick === 8) await redis.stop();
    });

    expectEveryStreamFinal(instances);
    expect(storeErrors.some((err) => err.operation.startsWith('budget.') && err.kind === 'unavailable')).toBe(true);
    for (const one of instances) {
      expect(busiestWindow(one.surface.writes, 'C-outage:edit', windowMs)).toBeLessThanOrEqual(limit);
      expect(busiestWindow(one.surface.writes, 'C-outage:post', windowMs)).toBeLessThanOrEqual(limit);
    }
  });

  test("an idle scope's keys expire once its window has passed", async () => {
    const budgets = await ledger();
    const scope: RateScope = { key: 'C-idle:edit', limit, windowMs };
    const slot = await budgets.reserve(scope, Date.now());
    expect(slot.granted).toBe(true);
    if (slot.granted) slot.release(Date.now());
    // Sent after the release on the same connection: once it is answered, Redis ran the release.
    await budgets.pause(scope, Date.now(), 300);

    const client = createRedisClient(redis.url);
    await client.connect();
    try {
      // While the write ran the set lived for its lease; finished, it lives one window more.
      const ttl = await client.pTTL('budget::{C-idle:edit}');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(windowMs);
      const pauseTtl = await client.pTTL('budget::{C-idle:edit}::pause');
      expect(pauseTtl).toBeGreaterThan(0);
      expect(pauseTtl).toBeLessThanOrEqual(300);
    } finally {
      client.destroy();
    }
  });

  describe('a paced scope (a token bucket, as Slack workspaces are paced)', () => {
    // 3 at once, then the other 7 of the minute one every ~8.6 s: a test's few milliseconds refill nothing.
    const paced = (key: string): RateScope => ({ key, limit: 10, windowMs: 60_000, burst: 3 });

    /** Takes and finishes writes while the ledger grants them; returns how many, and the last refusal. */
    async function drain(budgets: BudgetLedger, scope: RateScope, keep?: { writes: number; strict?: boolean }) {
      let taken = 0;
      for (;;) {
        const slot = await budgets.reserve(scope, Date.now(), keep);
        if (!slot.granted) return { taken, retryInMs: slot.retryInMs };
        slot.release(Date.now());
        taken += 1;
      }
    }

    test('two instances share its burst, then both wait for the refill', async () => {
      const [a, b] = [await ledger(), await ledger()];
      const scope = paced('T-shared:update');
      const first = await a.reserve(scope, Date.now());
      expect(first.granted).toBe(true);
      if (first.granted) first.release(Date.now());
      expect((await drain(b, scope)).taken).toBe(2);
      const refused = await drain(a, scope);
      expect(refused.taken).toBe(0);
      // One refill interval (60 s / 7), less the moments the test took.
      expect(refused.retryInMs).toBeGreaterThan(8000);
      expect(refused.retryInMs).toBeLessThanOrEqual(Math.ceil(60_000 / 7));
      expect(storeErrors).toEqual([]);
    });

    test("a live write leaves another instance's promised budget only if asked, and a promise is strict", async () => {
      const [a, b] = [await ledger(), await ledger()];
      const scope = paced('T-keep:update');
      // B's streams expect two finals: a live write of B's may take one token of three.
      expect((await drain(b, scope, { writes: 2 })).taken).toBe(1);
      // A promise for one more final needs three tokens: there are two.
      expect((await drain(a, scope, { writes: 2, strict: true })).taken).toBe(0);
      expect((await drain(a, scope)).taken).toBe(2);
    });

    test('a write refused with 429 gives its token back, so a retried write counts once', async () => {
      const budgets = await ledger();
      const scope = paced('T-refund:update');
      for (let i = 0; i < 10; i += 1) {
        const slot = await budgets.reserve(scope, Date.now());
        expect(slot.granted).toBe(true);
        if (slot.granted) slot.release(undefined);
      }
      expect((await drain(budgets, scope)).taken).toBe(3);
    });

    test("a 429 seen by one instance pauses the other, then lets one write through at a cut rate", async () => {
      const [a, b] = [await ledger(), await ledger()];
      const scope = paced('T-429:update');
      await a.pause(scope, Date.now(), 60_000);
      const paused = await b.reserve(scope, Date.now());
      expect(paused.granted).toBe(false);
      if (!paused.granted) expect(paused.retryInMs).toBeGreaterThan(59_000);

      const client = createRedisClient(redis.url);
      await client.connect();
      try {
        const bucket = await client.hGetAll('budget::{T-429:update}::bucket');
        // One write once Retry-After has passed, and a quarter off the rate for every instance.
        expect(Number(bucket.tokens)).toBe(1);
        expect(Number(bucket.lowered)).toBe(0.75);
        expect(await client.pTTL('budget::{T-429:update}::bucket')).toBeGreaterThan(60_000);
      } finally {
        client.destroy();
      }
    });
  });
});
