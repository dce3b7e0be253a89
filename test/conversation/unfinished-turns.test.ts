import Keyv from 'keyv';
import { expect, test } from 'vitest';
import { UnfinishedTurns } from '../../src/conversation/unfinished-turns.ts';
import type { MessageRef, MessageState } from '../../src/surface.ts';
import { RecordingSurface } from '../support/recording-surface.ts';

/** A platform channel that outlives the bot process: the same messages before and after a restart. */
class AddressedSurface extends RecordingSurface {
  readonly address = 'test:channel-1';
}

const marker = '⚠️ *Interrupted.*';
const signal = new AbortController().signal;

test('after a crash mid-answer the next start marks the message as interrupted, keeping its text', async () => {
  const keyv = new Keyv();
  const channel = new AddressedSurface();
  const before = new UnfinishedTurns(keyv, 'instance-a');
  const tracked = before.track('turn-1', channel);
  const ref = await tracked.surface.post('💭 Thinking…', 'live', signal);
  await tracked.surface.edit(ref, 'The answer so far', 'live', signal);
  // The process dies here: done() is never called.

  const after = new UnfinishedTurns(keyv, 'instance-a');
  const marked = await after.recover((address) => (address === channel.address ? channel : undefined), marker, signal);
  expect(marked).toBe(1);
  expect(channel.messages[0]).toMatchObject({ state: 'final' });
  expect(channel.messages[0]?.text.endsWith(marker)).toBe(true);
  expect(await after.recover(() => channel, marker, signal)).toBe(0);
});

test('a finished answer is not marked, and another instance leaves this one alone', async () => {
  const keyv = new Keyv();
  const channel = new AddressedSurface();
  const turns = new UnfinishedTurns(keyv, 'instance-a');
  const finished = turns.track('turn-1', channel);
  await finished.surface.post('done', 'final', signal);
  await finished.done();
  const cut = turns.track('turn-2', channel);
  await cut.surface.post('half', 'live', signal);

  expect(await new UnfinishedTurns(keyv, 'instance-b').recover(() => channel, marker, signal)).toBe(0);
  expect(await new UnfinishedTurns(keyv, 'instance-a').recover(() => channel, marker, signal)).toBe(1);
  expect(channel.messages.map((m) => m.text)).toEqual(['done', `half\n\n${marker}`]);
});

test('a store failure never fails the platform write', async () => {
  const broken = new Keyv({
    store: {
      get: async () => undefined,
      set: async () => {
        throw new Error('store down');
      },
      delete: async () => true,
      clear: async () => undefined,
    },
    throwOnErrors: true,
  });
  const errors: unknown[] = [];
  const channel = new AddressedSurface();
  const tracked = new UnfinishedTurns(broken, 'a', { onError: (e) => errors.push(e) }).track('t', channel);
  const ref: MessageRef = await tracked.surface.post('hello', 'live' as MessageState, signal);
  expect(ref).toEqual({ id: '0' });
  expect(channel.text()).toBe('hello');
  expect(errors).toHaveLength(1);
});
