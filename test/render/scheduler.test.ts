import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { PlatformError } from '../../src/errors/platform-error.ts';
import { LiveMessage } from '../../src/render/live-message.ts';
import { type WriteJob, type WritePriority, WriteScheduler } from '../../src/render/scheduler.ts';
import type { RateScope } from '../../src/surface.ts';
import { channelScopes } from '../../adapters/discord/surface.ts';
import { busiestWindow, FakeSurface } from './fake-surface.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** `count` streams answering at once in one channel (one post and one edit budget, 5 per 5 s each). */
async function streamsInOneChannel(count: number, opts: { seconds: number; finishAt?: (i: number) => number }) {
  const surface = new FakeSurface({ latencyMs: 80 });
  const scheduler = new WriteScheduler();
  const answers = Array.from({ length: count }, () => '');
  const lives = answers.map(
    () =>
      new LiveMessage({
        surface,
        scheduler,
        reasoningDisplay: 'off',
        signal: new AbortController().signal,
        finalTimeoutMs: 3_600_000,
      }),
  );
  const finishing: Array<Promise<unknown>> = [];
  for (let tick = 0; tick < opts.seconds * 5; tick += 1) {
    lives.forEach((live, i) => {
      if (tick * 200 >= (opts.finishAt?.(i) ?? Number.POSITIVE_INFINITY)) return;
      const delta = tick === 0 ? `[stream ${i}] ` : `w${tick} `;
      answers[i] += delta;
      live.push({ type: 'text', text: delta });
    });
    lives.forEach((live, i) => {
      if ((tick + 1) * 200 === opts.finishAt?.(i)) finishing.push(live.finish({}));
    });
    await vi.advanceTimersByTimeAsync(200);
  }
  const results = await Promise.all([...finishing, ...lives.map((live) => live.finish({}))].map(async (p) => {
    await vi.runAllTimersAsync();
    return p;
  }));
  return { surface, answers, results };
}

describe('many streams in one scope', () => {
  test.each([1, 5, 20, 100])('%i streams never exceed the budget, and each ends with its full answer', async (count) => {
    const { surface, answers } = await streamsInOneChannel(count, { seconds: 20 });
    expect(busiestWindow(surface.writes, 'chan:post', 5000)).toBeLessThanOrEqual(5);
    expect(busiestWindow(surface.writes, 'chan:edit', 5000)).toBeLessThanOrEqual(5);
    expect(surface.messages).toHaveLength(count);
    for (const answer of answers) {
      expect(surface.messages.filter((m) => m.text === answer && m.state === 'final')).toHaveLength(1);
    }
  });

  test('streams sharing a scope take turns: none starves', async () => {
    // Three answers keep three finals in reserve: live edits get the other two of each window's five.
    const { surface } = await streamsInOneChannel(3, { seconds: 60 });
    // Posts come first; afterwards each stream's share of the live edits differs by at most one turn.
    const firstMessages = surface.messages.slice(0, 3).map((m) => m.id);
    const live = surface.writes.filter((w) => w.kind === 'edit' && w.state === 'live' && w.at >= 15_000 && firstMessages.includes(w.id));
    const perMessage = new Map<string, number>(firstMessages.map((id) => [id, 0]));
    for (const w of live) perMessage.set(w.id, (perMessage.get(w.id) ?? 0) + 1);
    expect(perMessage.size).toBe(3);
    expect(Math.min(...perMessage.values())).toBeGreaterThan(0);
    expect(Math.max(...perMessage.values()) - Math.min(...perMessage.values())).toBeLessThanOrEqual(1);
  });

  test("a stream's final edit goes before other streams' live edits", async () => {
    const { surface } = await streamsInOneChannel(6, { seconds: 30, finishAt: (i) => (i === 3 ? 20_000 : Number.POSITIVE_INFINITY) });
    const finalOf3 = surface.writes.find((w) => w.kind === 'edit' && w.state === 'final' && w.text.startsWith('[stream 3]'));
    const editsBetween = surface.writes.filter((w) => w.kind === 'edit' && w.at >= 20_000 && w.at < (finalOf3?.at ?? 0));
    expect(finalOf3).toBeDefined();
    expect(editsBetween).toEqual([]);
  });
});

/**
 * Five answers in one Discord channel (reply mode: one post and one edit budget of 5 per 5 s
 * each): 5 s of thinking (a new heading every 1.5 s), then `answerTicks` tenths of a second
 * of answer, all ending together. Resolves once every final landed, with when the answers ended.
 */
async function fiveAnswersInOneChannel(answerTicks: number) {
  const surface = new FakeSurface({ ...channelScopes('C1'), latencyMs: 80 });
  const scheduler = new WriteScheduler();
  const streams = Array.from({ length: 5 }, (_, i) => ({
    live: new LiveMessage({ surface, scheduler, reasoningDisplay: 'status', signal: new AbortController().signal, finalTimeoutMs: 3_600_000 }),
    answer: '',
    i,
  }));
  for (let tick = 0; tick < 50 + answerTicks; tick += 1) {
    for (const stream of streams) {
      if (tick < 50) stream.live.push({ type: 'reasoning', text: tick % 15 === 0 ? `**Step ${tick / 15 + 1}**\n` : 'thinking on. ' });
      else {
        const delta = tick === 50 ? `[answer ${stream.i}] ` : `part ${tick}, `;
        stream.answer += delta;
        stream.live.push({ type: 'text', text: delta });
      }
    }
    await vi.advanceTimersByTimeAsync(100);
  }
  const endedAt = Date.now();
  const done = Promise.all(streams.map((s) => s.live.finish({})));
  await vi.runAllTimersAsync();
  await done;
  return { surface, streams, endedAt };
}

describe('five answers in one Discord channel (reply mode: one edit budget of 5 per 5 s)', () => {
  test('no final waits for a window that live frames drained: the answers end, the finals go', async () => {
    // 12 s of answer.
    const { surface, streams, endedAt } = await fiveAnswersInOneChannel(120);

    expect(busiestWindow(surface.writes, 'discord:edit:C1', 5000)).toBeLessThanOrEqual(5);
    const finals = surface.writes.filter((w) => w.state === 'final');
    expect(finals.map((w) => w.text).sort()).toEqual(streams.map((s) => s.answer).sort());
    // Five answers keep five finals in reserve, so live edits never took the slots the finals needed.
    expect(finals.map((w) => w.at)).toEqual(streams.map(() => endedAt));
  });
});

describe('five short answers in one Discord channel (the bench: 5 s of thinking, 2.6 s of answer)', () => {
  test('every final lands as its answer ends: only the first answer spends an edit on a thinking placeholder, the others post their first words', async () => {
    const { surface, streams, endedAt } = await fiveAnswersInOneChannel(26);

    expect(busiestWindow(surface.writes, 'discord:edit:C1', 5000)).toBeLessThanOrEqual(5);
    expect(busiestWindow(surface.writes, 'discord:post:C1', 5000)).toBeLessThanOrEqual(5);
    expect(surface.messages.map((m) => [m.text, m.state]).sort()).toEqual(streams.map((s) => [s.answer, 'final']).sort());
    const finals = surface.writes.filter((w) => w.state === 'final');
    expect(finals.map((w) => w.at)).toEqual(streams.map(() => endedAt));
    // One thinking placeholder: with five edits per five seconds, a second would cost a final its slot.
    expect(surface.writes.filter((w) => w.kind === 'post' && w.text.startsWith('💭'))).toHaveLength(1);
  });
});

describe('WriteScheduler', () => {
  const scope: RateScope = { key: 'workspace:update', limit: 3, windowMs: 1000 };

  function job(
    log: Array<[string, number]>,
    name: string,
    opts: { priority?: WritePriority; fail?: () => Error | undefined; overflow?: () => void } = {},
  ): WriteJob {
    const { overflow } = opts;
    return {
      priority: opts.priority ?? 'final',
      run: async () => {
        log.push([name, Date.now()]);
        const err = opts.fail?.();
        if (err) throw err;
        return true;
      },
      ...(overflow && {
        overflow: () => {
          log.push([`${name} overflowed`, Date.now()]);
          overflow();
          return true;
        },
      }),
    };
  }

  test('never starts more than the limit in any window', async () => {
    const scheduler = new WriteScheduler();
    const log: Array<[string, number]> = [];
    for (let i = 0; i < 10; i += 1) scheduler.request(scope, job(log, `j${i}`));
    await vi.runAllTimersAsync();
    expect(log.map(([, at]) => at)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000]);
  });

  test('the job that has waited longest goes next; final writes go first', async () => {
    const scheduler = new WriteScheduler();
    const log: Array<[string, number]> = [];
    const one: RateScope = { ...scope, limit: 1 };
    scheduler.request(one, job(log, 'first'));
    await vi.advanceTimersByTimeAsync(10);
    scheduler.request(one, job(log, 'old', { priority: 'live' }));
    await vi.advanceTimersByTimeAsync(10);
    scheduler.request(one, job(log, 'new', { priority: 'live' }));
    await vi.advanceTimersByTimeAsync(10);
    scheduler.request(one, job(log, 'final'));
    await vi.runAllTimersAsync();
    expect(log.map(([name]) => name)).toEqual(['first', 'final', 'old', 'new']);
  });

  test('a rate limit pauses the whole scope for retry-after and counts it', async () => {
    const limited: Array<[string, number]> = [];
    const scheduler = new WriteScheduler({ onRateLimited: (key, ms) => limited.push([key, ms]) });
    const log: Array<[string, number]> = [];
    let failed = false;
    const failOnce = () => (failed ? undefined : ((failed = true), new PlatformError('rate-limited', '429', { retryAfterMs: 4000 })));
    scheduler.request(scope, job(log, 'a', { fail: failOnce }));
    scheduler.request(scope, job(log, 'b'));
    await vi.runAllTimersAsync();
    // `b` started alongside `a`; after the 429 nothing starts until 4 s have passed, then `a` runs again.
    expect(log).toEqual([['a', 0], ['b', 0], ['a', 4000]]);
    expect(scheduler.rateLimitedCount).toBe(1);
    expect(limited).toEqual([['workspace:update', 4000]]);
  });

  const paced: RateScope = { key: 'slack:update:T1', limit: 50, windowMs: 60_000, burst: 10 };

  test('live writes leave the finals that streams expect: when the answers end, their finals go at once', async () => {
    const scheduler = new WriteScheduler();
    const log: Array<[string, number]> = [];
    scheduler.expect(paced, 5);
    // First words drain the bucket; live writes queue behind.
    for (let i = 0; i < 10; i += 1) scheduler.request(paced, job(log, `first${i}`, { priority: 'first' }));
    for (let i = 0; i < 20; i += 1) scheduler.request(paced, job(log, `live${i}`, { priority: 'live' }));
    await vi.advanceTimersByTimeAsync(20_000);
    scheduler.expect(paced, -5);
    for (let i = 0; i < 5; i += 1) scheduler.request(paced, job(log, `final${i}`));
    await vi.advanceTimersByTimeAsync(0);
    expect(log.filter(([name]) => name.startsWith('final'))).toEqual([0, 1, 2, 3, 4].map((i) => [`final${i}`, 20_000]));
    // Live writes got what the reserve left, paced.
    const live = log.filter(([name]) => name.startsWith('live')).map(([, at]) => at);
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((at) => at >= 9000)).toBe(true);
  });

  test('in a windowed scope too, live writes leave the slots first words will need', async () => {
    const scheduler = new WriteScheduler();
    const log: Array<[string, number]> = [];
    scheduler.expect(scope, 2);
    for (let i = 0; i < 5; i += 1) scheduler.request(scope, job(log, `live${i}`, { priority: 'live' }));
    await vi.advanceTimersByTimeAsync(600);
    for (let i = 0; i < 2; i += 1) scheduler.request(scope, job(log, `first${i}`, { priority: 'first' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual([['live0', 0], ['first0', 600], ['first1', 600]]);
  });

  test('a write that can go another way does so at once instead of waiting for its budget', async () => {
    const scheduler = new WriteScheduler();
    const log: Array<[string, number]> = [];
    const starts: RateScope = { key: 'slack:startStream:T1', limit: 20, windowMs: 60_000, burst: 10 };
    for (let i = 0; i < 12; i += 1) scheduler.request(starts, job(log, `start${i}`, { priority: 'first', overflow: () => undefined }));
    await vi.advanceTimersByTimeAsync(0);
    expect(log.filter(([name]) => !name.endsWith('overflowed'))).toHaveLength(10);
    expect(log.filter(([name]) => name.endsWith('overflowed'))).toEqual([['start10 overflowed', 0], ['start11 overflowed', 0]]);
  });

  test('a write that opens a message goes only while the final scope can still promise its final', async () => {
    const scheduler = new WriteScheduler();
    const log: Array<[string, number]> = [];
    const starts: RateScope = { key: 'slack:startStream:T1', limit: 20, windowMs: 60_000, burst: 10 };
    const stops: RateScope = { key: 'slack:stopStream:T1', limit: 20, windowMs: 60_000, burst: 10 };
    // Nine streams are open and will each need a stop: room for one more.
    scheduler.expect(stops, 9);
    for (let i = 0; i < 3; i += 1) {
      const start = job(log, `start${i}`, { priority: 'first', overflow: () => undefined });
      // Started, a stream expects its stop itself, as LiveMessage does.
      const run = start.run;
      scheduler.request(starts, { ...start, run: () => (scheduler.expect(stops, 1), run()) }, { promises: stops });
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual([['start0', 0], ['start1 overflowed', 0], ['start2 overflowed', 0]]);
  });

  test('a write with nowhere else to go waits until the final scope can promise', async () => {
    const scheduler = new WriteScheduler();
    const log: Array<[string, number]> = [];
    const starts: RateScope = { key: 'slack:startStream:T1', limit: 20, windowMs: 60_000, burst: 10 };
    const stops: RateScope = { key: 'slack:stopStream:T1', limit: 20, windowMs: 60_000, burst: 10 };
    scheduler.expect(stops, 10);
    scheduler.request(starts, job(log, 'continued', { priority: 'first' }), { promises: stops });
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual([]);
    scheduler.expect(stops, -1);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual([['continued', 1000]]);
  });
});
