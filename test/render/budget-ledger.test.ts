import { describe, expect, test } from 'vitest';
import { type BudgetLedger, InProcessBudgetLedger } from '../../src/render/budget-ledger.ts';
import type { RateScope } from '../../src/surface.ts';

/** Slack's chat.update as the adapter paces it: 10 at once, then the other 40 of the minute one every 1.5 s. */
const paced: RateScope = { key: 'slack:update:T1', limit: 50, windowMs: 60_000, burst: 10 };
/** Discord's channel edits: a sliding window of 5 per 5 s. */
const windowed: RateScope = { key: 'discord:edit:C1', limit: 5, windowMs: 5000 };

/** Takes and finishes writes at `now` while the ledger grants them; returns how many. */
async function drain(ledger: BudgetLedger, scope: RateScope, now: number, keep = 0, strict = false): Promise<number> {
  let taken = 0;
  for (;;) {
    const slot = await ledger.reserve(scope, now, { writes: keep, strict });
    if (!slot.granted) return taken;
    slot.release(now);
    taken += 1;
  }
}

describe('a paced scope', () => {
  test('takes its burst at once, then one write per refill interval, never the whole minute in a burst', async () => {
    const ledger = new InProcessBudgetLedger();
    expect(await drain(ledger, paced, 0)).toBe(10);
    const next = await ledger.reserve(paced, 0);
    expect(next).toEqual({ granted: false, retryInMs: 1500 });
    expect(await drain(ledger, paced, 1499)).toBe(0);
    expect(await drain(ledger, paced, 1500)).toBe(1);
    // Over any minute: the burst and the refill, 50 at most.
    let total = 11;
    for (let at = 1500; at < 60_000; at += 100) total += await drain(ledger, paced, at);
    expect(total).toBeLessThanOrEqual(50);
  });

  test('a live write leaves the budget others were promised', async () => {
    const ledger = new InProcessBudgetLedger();
    // Three finals expected: live writes may take 7 of the 10.
    expect(await drain(ledger, paced, 0, 3)).toBe(7);
    const live = await ledger.reserve(paced, 0, { writes: 3 });
    expect(live).toEqual({ granted: false, retryInMs: 1500 });
    // The finals take what was kept.
    expect(await drain(ledger, paced, 0)).toBe(3);
  });

  test('a reserve larger than the bucket still lets a live write through when the bucket is full, but no promise', async () => {
    const ledger = new InProcessBudgetLedger();
    expect(await drain(ledger, paced, 0, 40, true)).toBe(0);
    expect(await drain(ledger, paced, 0, 40)).toBe(1);
  });

  test('a refused write gives its token back: a write is counted once however often it is retried', async () => {
    const ledger = new InProcessBudgetLedger();
    for (let i = 0; i < 30; i += 1) {
      const slot = await ledger.reserve(paced, 0);
      if (!slot.granted) throw new Error('should be granted');
      slot.release(undefined);
    }
    expect(await drain(ledger, paced, 0)).toBe(10);
  });

  test("after a 429 nothing goes until Retry-After, then one write, and the scope's rate is cut", async () => {
    const ledger = new InProcessBudgetLedger();
    await ledger.pause(paced, 0, 3000);
    expect(await ledger.reserve(paced, 2999)).toEqual({ granted: false, retryInMs: 1 });
    expect(await drain(ledger, paced, 3000)).toBe(1);
    // A quarter off the rate (back by a tenth per minute since): one write every ~2 s instead of 1.5 s.
    expect(await ledger.reserve(paced, 3000)).toEqual({ granted: false, retryInMs: Math.ceil(1500 / (0.75 + 0.1 * (3000 / 60_000))) });
  });

  test('the rate comes back once 429s stop', async () => {
    const ledger = new InProcessBudgetLedger();
    await ledger.pause(paced, 0, 1000);
    // Ten windows later the cut is gone: the bucket holds 10 again.
    expect(await drain(ledger, paced, 600_000)).toBe(10);
  });
});

describe('a windowed scope', () => {
  test('holds a slot until a window after the write finished', async () => {
    const ledger = new InProcessBudgetLedger();
    const slot = await ledger.reserve(windowed, 0);
    if (!slot.granted) throw new Error('should be granted');
    expect(await drain(ledger, windowed, 0)).toBe(4);
    slot.release(300);
    expect(await ledger.reserve(windowed, 4000)).toEqual({ granted: false, retryInMs: 1000 });
    expect(await drain(ledger, windowed, 5000)).toBe(4);
    expect(await drain(ledger, windowed, 5300)).toBe(1);
  });

  test('a live write leaves the slots others were promised, and learns from a 429', async () => {
    const ledger = new InProcessBudgetLedger();
    expect(await drain(ledger, windowed, 0, 2)).toBe(3);
    expect(await drain(ledger, windowed, 0)).toBe(2);
    await ledger.pause(windowed, 10_000, 1000);
    // Cut by a quarter: 3 per window for a while.
    expect(await drain(ledger, windowed, 11_000)).toBe(3);
  });
});
