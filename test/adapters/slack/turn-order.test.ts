/**
 * Turns of one conversation reach the core in the order they came, however long
 * each takes to prepare (a thread read, a name look-up); other conversations do
 * not wait, and a turn whose preparation failed does not hold up the next.
 */
import { expect, test } from 'vitest';
import { TurnOrder } from '../../../adapters/slack/turn-order.ts';

test('a turn prepared sooner waits for the one before it; another conversation does not', async () => {
  const order = new TurnOrder();
  const handed: string[] = [];
  const slow = Promise.withResolvers<string>();
  const first = order.run('c1', () => slow.promise, (x) => handed.push(x));
  const second = order.run('c1', async () => 'second', (x) => handed.push(x));
  const elsewhere = order.run('c2', async () => 'elsewhere', (x) => handed.push(x));
  await elsewhere;
  expect(handed).toEqual(['elsewhere']);
  slow.resolve('first');
  await Promise.all([first, second]);
  expect(handed).toEqual(['elsewhere', 'first', 'second']);
});

test('a turn whose preparation failed lets the next one through', async () => {
  const order = new TurnOrder();
  const handed: string[] = [];
  const failed = order.run('c1', async () => Promise.reject(new Error('read failed')), (x: string) => handed.push(x));
  const next = order.run('c1', async () => 'next', (x) => handed.push(x));
  await expect(failed).rejects.toThrow('read failed');
  await next;
  expect(handed).toEqual(['next']);
});
