import { expect, test } from 'vitest';
import type { AiCallResult } from '../../../adapters/slack/ai-surface.ts';
import { AssistantStatusLine } from '../../../adapters/slack/assistant-status.ts';

/** A status line on a hand-driven clock: sleeps advance it, sends are recorded with their time. */
function line(answers: AiCallResult[] = []) {
  let now = 0;
  const sent: Array<{ at: number; status: string }> = [];
  const status = new AssistantStatusLine({
    send: async (text) => {
      sent.push({ at: now, status: text });
      return answers.shift() ?? { type: 'ok' };
    },
    minGapMs: 1000,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { status, sent };
}

test('only the latest wanted status is sent, a second after the one before', async () => {
  const { status, sent } = line();
  status.set('is thinking…');
  status.set('is thinking: Reading…');
  status.set('is thinking: Checking…');
  status.set('');
  await status.settled();
  expect(sent).toEqual([
    { at: 0, status: 'is thinking…' },
    { at: 1000, status: '' },
  ]);
});

test('a status already shown is not sent again', async () => {
  const { status, sent } = line();
  status.set('is thinking…');
  await status.settled();
  status.set('is thinking…');
  await status.settled();
  status.set('');
  status.set('');
  await status.settled();
  expect(sent.map((s) => s.status)).toEqual(['is thinking…', '']);
});

test('a 429 is waited out, then the latest status is sent', async () => {
  const { status, sent } = line([{ type: 'rate-limited', retryAfterMs: 3000 }]);
  status.set('');
  status.set('is thinking…');
  await status.settled();
  expect(sent).toEqual([
    { at: 0, status: 'is thinking…' },
    { at: 3000, status: 'is thinking…' },
  ]);
});

test('a status Slack keeps refusing is given up after a few tries, and a later one still goes out', async () => {
  const limited: AiCallResult = { type: 'rate-limited', retryAfterMs: 1000 };
  const { status, sent } = line([limited, limited, limited, limited]);
  status.set('is thinking…');
  await status.settled();
  expect(sent).toHaveLength(4);
  status.set('');
  await status.settled();
  expect(sent.at(-1)?.status).toBe('');
});
