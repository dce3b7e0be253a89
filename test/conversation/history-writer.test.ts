import { pino } from 'pino';
import { expect, test } from 'vitest';
import { HistoryWriter } from '../../src/conversation/history-writer.ts';
import type { StoredMessage } from '../../src/history/record.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { flakyKeyv } from '../support/flaky-keyv.ts';

const silent = pino({ level: 'silent' });
const kept = (turn: string, at: number): StoredMessage[] => [
  { role: 'user', turnId: turn, authorId: 'u', authorName: 'Ada', text: `question ${turn}`, attachments: [], at },
  { role: 'assistant', turnId: turn, model: '', text: '', status: 'not-answered', reason: 'store-unavailable', at },
];

test('while the store is down, kept questions wait in memory up to the bound, the oldest dropped first', async () => {
  const store = flakyKeyv();
  const history = new HistoryStore(store.keyv);
  const lines: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void lines.push((JSON.parse(line) as { msg: string }).msg) });
  const writer = new HistoryWriter(history, log, { maxPending: 2, flushEveryMs: 60_000 });
  store.down = true;
  for (const [i, turn] of ['t1', 't2', 't3'].entries()) await writer.store('c1', kept(turn, i), silent, { retry: false });
  expect(writer.pending).toBe(2);
  expect(lines).toContain('too many turns waiting for the store: dropped the oldest');

  store.down = false;
  expect(await writer.flushAll()).toBe(0);
  expect((await history.load('c1')).messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['question t2', 'question t3']);
});

test('a kept question flushed by its conversation and by the background at once is stored once', async () => {
  const store = flakyKeyv();
  const history = new HistoryStore(store.keyv);
  const writer = new HistoryWriter(history, silent, { flushEveryMs: 60_000 });
  store.down = true;
  await writer.store('c1', kept('t1', 1), silent, { retry: false });
  store.down = false;
  await Promise.all([writer.flush('c1'), writer.flushAll()]);
  expect((await history.load('c1')).messages).toHaveLength(2);
  expect(writer.pending).toBe(0);
});
