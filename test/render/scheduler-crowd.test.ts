/**
 * Crowds in one Slack workspace, in fake time: 1 to 100 answers streaming at once,
 * each in a channel of its own, through the real renderer and scheduler with the
 * Slack adapter's budgets, against a workspace that counts calls under either
 * reading of Slack's tiers (test/fakes/slack/rate-model.ts): a sliding window of
 * 50 per minute, or a token bucket of 20 refilled at 50 per minute (10 and 20 for
 * the streaming methods). Each answer thinks for 5 s, then writes: all for 2.6 s
 * and ending together, or for 20 s and more, ending one by one 2 s apart.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { streamScopes, updateScopes } from '../../adapters/slack/scopes.ts';
import { LiveMessage } from '../../src/render/live-message.ts';
import { paceMs } from '../../src/render/pacing.ts';
import { PROMISE_HOLD_MS, WriteScheduler } from '../../src/render/scheduler.ts';
import type { RateScope } from '../../src/surface.ts';
import { RateLimits, SLACK_MODELS } from '../fakes/slack/rate-model.ts';
import { FakeWorkspace, SlackLikeSurface } from './slack-like-surface.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

const TICK_MS = 100;
const THINKING_TICKS = 50;
const ANSWER_TICKS = 26;

/** The workspace budgets a final can count against, by key. */
const SCOPES = new Map<string, RateScope>(
  [...Object.values(updateScopes('T1', 'C0')), ...Object.values(streamScopes('T1'))].map((scope) => [scope.key.replace(/C0$/, ''), scope]),
);
const finalOf = (surface: SlackLikeSurface) => {
  const [final] = [...surface.finals.values()];
  if (!final) throw new Error('no final write');
  return final;
};
/** The budget the answer's final write counted against. */
const finalScope = (surface: SlackLikeSurface) => SCOPES.get(finalOf(surface).scope.replace(/C\d+$/, '')) as RateScope;
/** From the answer's end to its final write landing, the write's own round trip (80 ms) left out. */
const finalLag = (surface: SlackLikeSurface, finishedAt: number) => finalOf(surface).at - finishedAt - 80;

interface Shape {
  /** The tick at which answer `i` ends. */
  readonly finishTick: (i: number) => number;
  /** What answer `i` receives at `tick`. */
  readonly delta: (i: number, tick: number) => string;
}

const TOGETHER: Shape = {
  finishTick: () => THINKING_TICKS + ANSWER_TICKS,
  delta: (i, tick) => (tick === THINKING_TICKS ? `[answer ${i}] ` : `and the answer goes on, part ${tick}. `),
};

/** 20 s of answer and 2 s more per answer before it: one character a tick keeps even the longest in one message. */
const ONE_BY_ONE: Shape = {
  finishTick: (i) => THINKING_TICKS + 200 + 20 * i,
  delta: (i, tick) => (tick === THINKING_TICKS ? `[answer ${i}] ` : String(tick % 10)),
};

async function crowd(count: number, reading: 'window' | 'bucket', streaming: 'native' | 'update', shape: Shape) {
  const { finishTick } = shape;
  const limits = new RateLimits();
  limits.use(SLACK_MODELS[reading]);
  const workspace = new FakeWorkspace(limits);
  const scheduler = new WriteScheduler();
  const streams = Array.from({ length: count }, (_, i) => {
    const surface = new SlackLikeSurface({ workspace, channel: `C${i}`, streaming });
    const live = new LiveMessage({ surface, scheduler, reasoningDisplay: 'status', signal: new AbortController().signal, finalTimeoutMs: 3_600_000 });
    return { surface, live, answer: '', finishedAt: 0, done: undefined as Promise<unknown> | undefined };
  });
  const lastTick = Math.max(...streams.map((_, i) => finishTick(i)));
  for (let tick = 0; tick < lastTick; tick += 1) {
    streams.forEach((stream, i) => {
      if (tick >= finishTick(i)) return;
      if (tick < THINKING_TICKS) return stream.live.push({ type: 'reasoning', text: `**Step ${tick}** weighing the question. ` });
      const delta = shape.delta(i, tick);
      stream.answer += delta;
      stream.live.push({ type: 'text', text: delta });
    });
    streams.forEach((stream, i) => {
      if (tick + 1 !== finishTick(i)) return;
      stream.finishedAt = (tick + 1) * TICK_MS;
      stream.done = stream.live.finish({});
    });
    await vi.advanceTimersByTimeAsync(TICK_MS);
  }
  await vi.runAllTimersAsync();
  await Promise.all(streams.map((s) => s.done));
  return { workspace, streams };
}

describe.each(['window', 'bucket'] as const)('a Slack workspace counting by %s', (reading) => {
  describe.each(['update', 'native'] as const)('streaming by %s', (streaming) => {
    test.each([1, 5, 20, 50, 100])('%i answers at once: no 429, every final written, none waiting longer than its share', async (count) => {
      const { workspace, streams } = await crowd(count, reading, streaming, TOGETHER);

      expect(workspace.refused()).toEqual([]);
      for (const { surface, answer, finishedAt } of streams) {
        expect(surface.messages.map((m) => [m.text, m.state])).toEqual([[answer, 'final']]);
        // All answers end at once: the last of them may wait one pacing interval per answer.
        expect(finalLag(surface, finishedAt)).toBeLessThanOrEqual(count * paceMs(finalScope(surface)));
      }
    });

    test.each([20, 50])(
      '%i answers at once: first words within 2 s of the first answer token (20), every final within 3 s (20) or 10 s (50) of the end',
      async (count) => {
        const { workspace, streams } = await crowd(count, reading, streaming, TOGETHER);

        expect(workspace.refused()).toEqual([]);
        const answerAt = THINKING_TICKS * TICK_MS;
        const firstWordsLag = streams.map(({ surface }, i) => (surface.landed.find((w) => w.text.includes(`[answer ${i}]`))?.at ?? Infinity) - answerAt);
        const finalLags = streams.map(({ surface, finishedAt }) => finalLag(surface, finishedAt));
        // The goals, at p95 (nearest rank): posts are per channel, so a crowd's
        // first words go by post and only finals spend the workspace's edit budget.
        const p95 = (lags: number[]) => [...lags].sort((a, b) => a - b)[Math.ceil(0.95 * lags.length) - 1];
        if (count === 20) expect(p95(firstWordsLag)).toBeLessThanOrEqual(2000);
        expect(p95(finalLags)).toBeLessThanOrEqual(count === 20 ? 3000 : 10_000);
        for (const { surface, answer } of streams) expect(surface.messages.map((m) => [m.text, m.state])).toEqual([[answer, 'final']]);
      },
    );

    test.each([1, 5, 20, 50, 100])('%i answers ending one by one: no 429, first words within the promise hold, and each final within one pacing interval', async (count) => {
      const { workspace, streams } = await crowd(count, reading, streaming, ONE_BY_ONE);

      expect(workspace.refused()).toEqual([]);
      for (const [i, { surface, answer, finishedAt }] of streams.entries()) {
        // More long answers than the budget can promise finals to: the others show their first words once held long enough.
        const firstWords = surface.landed.find((w) => w.text.includes(`[answer ${i}]`));
        expect((firstWords?.at ?? Infinity) - THINKING_TICKS * TICK_MS).toBeLessThanOrEqual(PROMISE_HOLD_MS + 100);
        expect(surface.messages.map((m) => [m.text, m.state])).toEqual([[answer, 'final']]);
        // However busy the workspace, an answer ending alone waits for no window: its final was kept in reserve.
        expect(finalLag(surface, finishedAt)).toBeLessThanOrEqual(paceMs(finalScope(surface)));
      }
    });
  });
});
