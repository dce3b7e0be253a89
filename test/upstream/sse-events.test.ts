import { expect, test } from 'vitest';
import { eventsFromChunk } from '../../src/upstream/sse-events.ts';
import { fixture } from '../fakes/upstream.ts';

test("the provider's usage chunk carries total_tokens, which quotas count", () => {
  const usageLine = fixture('stream-reasoning-zh.sse')
    .split('\n')
    .find((line) => line.includes('"total_tokens"'));
  expect(eventsFromChunk(usageLine?.slice('data: '.length) ?? '')).toEqual([
    { type: 'usage', usage: { promptTokens: 8, completionTokens: 527, reasoningTokens: 519, totalTokens: 535 } },
  ]);
});

test('a usage chunk without total_tokens still counts both sides', () => {
  expect(eventsFromChunk(JSON.stringify({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 30 } }))).toEqual([
    { type: 'usage', usage: { promptTokens: 12, completionTokens: 30, reasoningTokens: 0, totalTokens: 42 } },
  ]);
});
