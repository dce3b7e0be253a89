/**
 * A crowd of questions arriving together starts one per turn of the event loop, so
 * the answers already streaming (their upstream reads, their timers) keep going in
 * between; a question alone starts at once.
 */
import { setImmediate } from 'node:timers';
import { expect, test } from 'vitest';
import { TurnStarts } from '../../src/conversation/turn-starts.ts';

test('a question alone starts at once, without waiting for the event loop', async () => {
  const starts = new TurnStarts();
  let started = false;
  void starts.next().then(() => {
    started = true;
  });
  await Promise.resolve();
  expect(started).toBe(true);
});

test('fifty questions at once start in fifty turns of the event loop, in the order they came', async () => {
  const starts = new TurnStarts();
  // Counts the loop's turns, as any other work waiting for the loop would see them.
  let loopTurns = 0;
  let counting = true;
  const count = () => {
    loopTurns += 1;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const seen: Array<{ turn: number; loop: number }> = [];
  await Promise.all(Array.from({ length: 50 }, (_, turn) => starts.next().then(() => seen.push({ turn, loop: loopTurns }))));
  counting = false;

  expect(seen.map((s) => s.turn)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(new Set(seen.map((s) => s.loop)).size).toBe(50);
});
