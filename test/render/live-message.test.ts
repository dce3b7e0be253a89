import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ReasoningDisplay } from '../../src/config.ts';
import { LiveMessage } from '../../src/render/live-message.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { userTextIn } from '../../src/user-text.ts';
import { busiestWindow, FakeSurface } from './fake-surface.ts';

const userText = userTextIn('en');

const text = (t: string) => ({ type: 'text', text: t }) as const;
const reasoning = (t: string) => ({ type: 'reasoning', text: t }) as const;

function setup(
  opts: {
    maxMessageLength?: number;
    latencyMs?: number;
    reasoningDisplay?: ReasoningDisplay;
    finalTimeoutMs?: number;
    /** Messages an earlier version of the answer left (a regeneration). */
    earlier?: readonly string[];
  } = {},
) {
  const surface = new FakeSurface({ maxMessageLength: opts.maxMessageLength ?? 2000, latencyMs: opts.latencyMs ?? 50 });
  const existing = opts.earlier ? surface.seed(opts.earlier) : undefined;
  const rateLimits: Array<[string, number]> = [];
  const scheduler = new WriteScheduler({ onRateLimited: (key, ms) => rateLimits.push([key, ms]) });
  const turn = new AbortController();
  const logs: Array<{ level: string; msg: string }> = [];
  const live = new LiveMessage({
    surface,
    scheduler,
    reasoningDisplay: opts.reasoningDisplay ?? 'status',
    signal: turn.signal,
    log: (level, _fields, msg) => logs.push({ level, msg }),
    ...(opts.finalTimeoutMs ? { finalTimeoutMs: opts.finalTimeoutMs } : {}),
    ...(existing ? { existing } : {}),
  });
  return { surface, scheduler, turn, logs, live, rateLimits };
}

/** Finishes the message and lets fake time run until the final state has landed. */
async function finished(live: LiveMessage, end: { note?: string; footer?: string } = {}) {
  const done = live.finish(end);
  await vi.runAllTimersAsync();
  return done;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('frames', () => {
  test('the first text appears as soon as the first delta arrives', async () => {
    const { surface, live } = setup();
    live.push(text('Hello'));
    await vi.advanceTimersByTimeAsync(0);
    expect(surface.writes).toMatchObject([{ at: 0, kind: 'post', text: 'Hello', state: 'live' }]);
  });

  test('deltas that arrive while a write is in flight make one edit with the latest text', async () => {
    const { surface, live } = setup({ latencyMs: 1000 });
    live.push(text('a'));
    await vi.advanceTimersByTimeAsync(0);
    let answer = 'a';
    for (let i = 0; i < 50; i += 1) {
      live.push(text(` w${i}`));
      answer += ` w${i}`;
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(surface.writes.map((w) => w.text)).toEqual(['a', answer]);
  });

  test('edits follow at the pace the budget allows, not in a burst', async () => {
    const { surface, live } = setup({ latencyMs: 10 });
    for (let i = 0; i < 100; i += 1) {
      live.push(text(`${i} `));
      await vi.advanceTimersByTimeAsync(100);
    }
    // 10 s of streaming with 5 edits per 5 s, one kept for the final edit: four edits per window, each a second after the last.
    const edits = surface.writes.filter((w) => w.kind === 'edit');
    expect(edits.length).toBeGreaterThanOrEqual(7);
    expect(busiestWindow(surface.writes, 'chan:edit', 5000)).toBeLessThanOrEqual(4);
    for (let i = 1; i < edits.length; i += 1) expect((edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  test('a code block still being written shows closed, and the final text is the answer as written', async () => {
    const { surface, live } = setup();
    live.push(text('Code:\n```ts\nconst a = 1;'));
    await vi.advanceTimersByTimeAsync(100);
    expect(surface.shown()).toEqual(['Code:\n```ts\nconst a = 1;\n```']);
    live.push(text('\n```\nDone.'));
    await finished(live);
    expect(surface.shown()).toEqual(['Code:\n```ts\nconst a = 1;\n```\nDone.']);
  });

  test('the final state is written exactly once and equals the answer', async () => {
    const { surface, live } = setup();
    const answer = 'The answer is **42**, as everyone knows.';
    for (const word of answer.split(/(?<= )/)) {
      live.push(text(word));
      await vi.advanceTimersByTimeAsync(300);
    }
    live.push({ type: 'finish', reason: 'stop' });
    const result = await finished(live);
    const again = await live.finish({ note: 'ignored' });
    await vi.runAllTimersAsync();
    expect(surface.writes.filter((w) => w.state === 'final')).toHaveLength(1);
    expect(surface.messages).toEqual([{ id: 'm0', text: answer, state: 'final' }]);
    expect(result).toMatchObject({ shownText: answer, messages: 1 });
    expect(again).toEqual(result);
  });

  test('a note and a usage footer follow the answer', async () => {
    const { surface, live } = setup();
    live.push(text('Partial answer'));
    await finished(live, { note: userText.stopped, footer: '-# usage' });
    expect(surface.shown()).toEqual([`Partial answer\n\n${userText.stopped}\n-# usage`]);
  });

  test('notices show above the answer', async () => {
    const { surface, live } = setup();
    live.addNotice(userText.attachmentSkipped('cat.heic', userText.attachmentUnreachable));
    live.push(text('Here is what I can say.'));
    await finished(live);
    expect(surface.shown()).toEqual([`${userText.attachmentSkipped('cat.heic', userText.attachmentUnreachable)}\n\nHere is what I can say.`]);
  });

  test('an empty answer with a note posts just the note', async () => {
    const { surface, live } = setup();
    const result = await finished(live, { note: '⚠️ The model service is busy.' });
    expect(surface.writes.map((w) => [w.kind, w.text, w.state])).toEqual([['post', '⚠️ The model service is busy.', 'final']]);
    expect(result).toMatchObject({ shownText: '', messages: 1 });
  });

  test('a blank answer is never sent as a message; the note replaces the thinking status', async () => {
    const { surface, live } = setup();
    live.push(text(''));
    live.push(text('  \n'));
    await vi.advanceTimersByTimeAsync(1000);
    const result = await finished(live, { note: userText.stopped });
    expect(surface.writes.every((w) => w.text.trim() !== '')).toBe(true);
    expect(surface.messages).toEqual([{ id: 'm0', text: userText.stopped, state: 'final' }]);
    expect(result).toMatchObject({ shownText: '', messages: 1 });
  });

  test('an empty answer without a note posts nothing', async () => {
    const { surface, live } = setup();
    expect(await finished(live)).toMatchObject({ shownText: '', messages: 0 });
    expect(surface.writes).toEqual([]);
  });

  test('a stopped turn still writes its final frame, with the stop note', async () => {
    const { surface, live, turn } = setup({ latencyMs: 500 });
    live.push(text('Half of'));
    await vi.advanceTimersByTimeAsync(600);
    live.push(text(' an answer'));
    await vi.advanceTimersByTimeAsync(100);
    turn.abort();
    live.push(text(' that keeps coming'));
    const result = await finished(live, { note: userText.stopped });
    expect(surface.messages.at(-1)).toMatchObject({ text: `Half of an answer\n\n${userText.stopped}`, state: 'final' });
    expect(surface.writes.at(-1)?.signal.aborted).toBe(false);
    expect(result.shownText).toBe('Half of an answer');
  });
});

describe('reasoning', () => {
  const thoughts = '**Reading the question**\n\nThe user asks about tides.\n\n**Checking the moon**\n\nTides follow the moon.';

  test('status mode shows the latest bold heading, then gives way to the answer', async () => {
    const { surface, live } = setup();
    live.push(reasoning(thoughts.slice(0, 40)));
    await vi.advanceTimersByTimeAsync(100);
    expect(surface.shown()).toEqual([userText.thinking('Reading the question')]);
    live.push(reasoning(thoughts.slice(40)));
    await vi.advanceTimersByTimeAsync(2000);
    expect(surface.shown()).toEqual([userText.thinking('Checking the moon')]);
    live.push(text('Tides come from the moon.'));
    await finished(live);
    expect(surface.shown()).toEqual(['Tides come from the moon.']);
  });

  test('off mode says only that the model thinks', async () => {
    const { surface, live } = setup({ reasoningDisplay: 'off' });
    live.push(reasoning(thoughts));
    await vi.advanceTimersByTimeAsync(100);
    expect(surface.shown()).toEqual([userText.thinking(undefined)]);
    live.push(text('Tides come from the moon.'));
    await finished(live);
    expect(surface.shown()).toEqual(['Tides come from the moon.']);
  });

  test('full mode quotes the reasoning, and keeps it above the answer', async () => {
    const { surface, live } = setup({ reasoningDisplay: 'full' });
    live.push(reasoning(thoughts));
    await vi.advanceTimersByTimeAsync(100);
    const [thinking] = surface.shown();
    expect(thinking).toContain(userText.reasoningTitle);
    expect(thinking).toContain('> Tides follow the moon.');
    live.push(text('Tides come from the moon.'));
    await finished(live);
    const [final] = surface.shown();
    expect(final).toMatch(/^\*\*💭 Reasoning\*\*\n> \*\*Reading the question\*\*\n>\n> The user asks about tides\./);
    expect(final?.endsWith('\n\nTides come from the moon.')).toBe(true);
  });

  test('full mode trims long reasoning to fit, keeping its latest part', async () => {
    const { surface, live } = setup({ reasoningDisplay: 'full', maxMessageLength: 300 });
    live.push(reasoning(`${'Long thought. '.repeat(100)}Last thought.`));
    await vi.advanceTimersByTimeAsync(100);
    const [thinking] = surface.shown();
    expect(thinking?.length).toBeLessThanOrEqual(300);
    expect(thinking).toContain('> …');
    expect(thinking?.endsWith('Last thought.')).toBe(true);
  });

  test('a thinking status with an empty answer gives way to the note', async () => {
    const { surface, live } = setup();
    live.push(reasoning('**Planning**'));
    await vi.advanceTimersByTimeAsync(100);
    await finished(live, { note: userText.stopped });
    expect(surface.messages).toEqual([{ id: 'm0', text: userText.stopped, state: 'final' }]);
  });
});

describe('long answers', () => {
  const sentence = (i: number) => `Sentence number ${i} says something. `;
  const longAnswer = Array.from({ length: 60 }, (_, i) => sentence(i) + (i % 7 === 6 ? '\n\n' : '')).join('');

  test('an answer longer than a message continues in new messages; sealed ones never change', async () => {
    const { surface, live } = setup({ maxMessageLength: 300 });
    for (let i = 0; i < longAnswer.length; i += 17) {
      live.push(text(longAnswer.slice(i, i + 17)));
      await vi.advanceTimersByTimeAsync(150);
    }
    const result = await finished(live, { note: userText.cutAtLength, footer: '-# usage' });
    expect(surface.messages.length).toBeGreaterThan(4);
    for (const m of surface.messages) {
      expect(m.text.length).toBeLessThanOrEqual(300);
      expect(m.state).toBe('final');
    }
    expect(surface.shown().join('')).toBe(`${longAnswer}\n\n${userText.cutAtLength}\n-# usage`);
    for (const m of surface.messages) {
      const writes = surface.writes.filter((w) => w.id === m.id);
      expect(writes.findIndex((w) => w.state === 'final')).toBe(writes.length - 1);
    }
    expect(result).toMatchObject({ shownText: longAnswer, messages: surface.messages.length });
  });

  test('the note gets room on the last message', async () => {
    const { surface, live } = setup({ maxMessageLength: 150 });
    live.push(text('word '.repeat(28)));
    const note = userText.cutAtLength;
    await finished(live, { note });
    expect(surface.messages).toHaveLength(2);
    for (const m of surface.messages) expect(m.text.length).toBeLessThanOrEqual(150);
    expect(surface.shown().join('')).toBe(`${'word '.repeat(28)}\n\n${note}`);
  });
});

describe('platform errors', () => {
  test('a rate limit pauses the scope for retry-after, then the latest frame is written', async () => {
    const { surface, live, scheduler, rateLimits } = setup({ latencyMs: 20 });
    surface.failOnce({ kind: 'rate-limited', retryAfterMs: 3000 }, (w) => w.kind === 'edit');
    let answer = '';
    for (let i = 0; i < 60; i += 1) {
      live.push(text(`${i} `));
      answer += `${i} `;
      await vi.advanceTimersByTimeAsync(100);
    }
    await finished(live);
    const edits = surface.writes.filter((w) => w.kind === 'edit');
    const limited = edits[0];
    expect(edits[1]?.at).toBeGreaterThanOrEqual((limited?.at ?? 0) + 20 + 3000);
    expect(surface.shown()).toEqual([answer]);
    expect(scheduler.rateLimitedCount).toBe(1);
    expect(rateLimits).toEqual([['chan:edit', 3000]]);
  });

  test('a message that is gone or forbidden is not written again, and finish still resolves', async () => {
    const { surface, live, logs } = setup();
    surface.failOnce({ kind: 'gone' }, (w) => w.kind === 'edit');
    live.push(text('one'));
    await vi.advanceTimersByTimeAsync(100);
    live.push(text(' two'));
    await vi.advanceTimersByTimeAsync(2000);
    live.push(text(' three'));
    const result = await finished(live, { note: userText.stopped });
    expect(surface.writes.map((w) => w.kind)).toEqual(['post', 'edit']);
    expect(logs.some((l) => l.level === 'warn')).toBe(true);
    expect(result.messages).toBe(1);
  });

  test('text the platform refuses is not sent again; the next text is', async () => {
    const { surface, live } = setup();
    surface.failOnce({ kind: 'invalid' }, (w) => w.text === 'one two');
    live.push(text('one'));
    await vi.advanceTimersByTimeAsync(100);
    live.push(text(' two'));
    await vi.advanceTimersByTimeAsync(5000);
    expect(surface.writes.map((w) => w.text)).toEqual(['one', 'one two']);
    live.push(text(' three'));
    await finished(live);
    expect(surface.writes.map((w) => w.text)).toEqual(['one', 'one two', 'one two three']);
    expect(surface.shown()).toEqual(['one two three']);
  });

  test('a failing platform is retried with the latest frame after a pause', async () => {
    const { surface, live } = setup();
    surface.failOnce({ kind: 'unavailable' }, (w) => w.kind === 'edit');
    live.push(text('one'));
    await vi.advanceTimersByTimeAsync(100);
    live.push(text(' two'));
    await vi.advanceTimersByTimeAsync(200);
    live.push(text(' three'));
    await vi.advanceTimersByTimeAsync(5000);
    expect(surface.writes.map((w) => w.text)).toEqual(['one', 'one two', 'one two three']);
    await finished(live);
    expect(surface.shown()).toEqual(['one two three']);
  });

  test('a platform that never answers cannot hold finish past its deadline', async () => {
    const { surface, live, logs } = setup({ finalTimeoutMs: 10_000 });
    live.push(text('hello'));
    await vi.advanceTimersByTimeAsync(100);
    surface.hold();
    const done = live.finish({ note: userText.stopped });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await done).toMatchObject({ shownText: 'hello', messages: 1 });
    expect(logs.some((l) => l.level === 'warn')).toBe(true);
    surface.release();
  });
});

describe('thinking statuses in a busy channel', () => {
  test('the first answer text goes before other answers’ thinking refreshes, which take at most one edit per window', async () => {
    const scheduler = new WriteScheduler();
    // Two answers expect two first words and two finals: one edit of the five per window is left for statuses.
    const surfaces = Array.from({ length: 2 }, () => new FakeSurface({ name: 'busy', latencyMs: 50 }));
    const lives = surfaces.map(
      (surface) => new LiveMessage({ surface, scheduler, reasoningDisplay: 'status', signal: new AbortController().signal }),
    );
    for (let step = 0; step < 8; step += 1) {
      lives.forEach((live, i) => live.push(reasoning(`**Step ${step} of answer ${i}**\n\nthinking…\n\n`)));
      await vi.advanceTimersByTimeAsync(1000);
    }
    const answerAt = Date.now();
    lives[0]?.push(text('The answer begins'));
    await vi.advanceTimersByTimeAsync(10_000);

    const edits = surfaces.flatMap((s) => s.writes.filter((w) => w.kind === 'edit'));
    const firstWords = surfaces[0]?.writes.find((w) => w.text.includes('The answer begins'));
    expect(firstWords).toBeDefined();
    const statusBefore = edits.filter((w) => w.at >= answerAt && w.at < (firstWords?.at ?? 0) && w.text.startsWith('💭'));
    expect(statusBefore).toEqual([]);
    const statusEdits = edits.filter((w) => w.text.startsWith('💭'));
    expect(statusEdits.length).toBeGreaterThan(0);
    for (const edit of statusEdits) {
      expect(statusEdits.filter((w) => w.at >= edit.at && w.at < edit.at + 5000)).toHaveLength(1);
    }
  });
});

describe('the first words', () => {
  test('answers that start together in one channel show their first words at once, within the budget', async () => {
    const scheduler = new WriteScheduler();
    const surfaces = Array.from({ length: 4 }, () => new FakeSurface({ name: 'burst', latencyMs: 50 }));
    const lives = surfaces.map(
      (surface) => new LiveMessage({ surface, scheduler, reasoningDisplay: 'status', signal: new AbortController().signal }),
    );
    lives.forEach((live) => live.push(reasoning('**Planning**\n\n')));
    await vi.advanceTimersByTimeAsync(10_000);
    const answerAt = Date.now();
    lives.forEach((live, i) => live.push(text(`Answer ${i}`)));
    await vi.advanceTimersByTimeAsync(100);
    for (const [i, surface] of surfaces.entries()) {
      expect(surface.writes.find((w) => w.text.includes(`Answer ${i}`))?.at).toBe(answerAt);
    }
  });
});

test('the first words are not held back by a thinking refresh already waiting for its turn', async () => {
  const scheduler = new WriteScheduler();
  const surface = new FakeSurface({ name: 'solo', latencyMs: 10 });
  const live = new LiveMessage({ surface, scheduler, reasoningDisplay: 'status', signal: new AbortController().signal });
  live.push(reasoning('**First idea**\n\n'));
  await vi.advanceTimersByTimeAsync(100);
  live.push(reasoning('**Second idea**\n\n'));
  await vi.advanceTimersByTimeAsync(100);
  live.push(reasoning('**Third idea**\n\n'));
  await vi.advanceTimersByTimeAsync(100);
  const answerAt = Date.now();
  live.push(text('Here it is'));
  await vi.advanceTimersByTimeAsync(50);
  expect(surface.writes.find((w) => w.text.includes('Here it is'))?.at).toBe(answerAt);
});

describe('an answer written again (regenerate)', () => {
  const sentence = (i: number) => `Sentence number ${i} says something. `;
  const long = (n: number) => Array.from({ length: n }, (_, i) => sentence(i)).join('');

  test('a shorter answer is written into the first of the old messages, and the parts it no longer needs are deleted', async () => {
    const { surface, live } = setup({ maxMessageLength: 300, earlier: ['old part one', 'old part two', 'old part three'] });
    live.push(text('A short new answer.'));
    const result = await finished(live);
    expect(surface.shown()).toEqual(['A short new answer.']);
    expect(surface.writes.map((w) => [w.kind, w.id])).toEqual([
      ['edit', 'm0'],
      ['delete', 'm1'],
      ['delete', 'm2'],
    ]);
    expect(result.refs).toEqual([{ id: 'm0' }]);
  });

  test('a longer answer reuses every old message in order, then posts the rest', async () => {
    const { surface, live } = setup({ maxMessageLength: 300, earlier: ['old part one'] });
    const answer = long(14);
    for (let i = 0; i < answer.length; i += 40) {
      live.push(text(answer.slice(i, i + 40)));
      await vi.advanceTimersByTimeAsync(200);
    }
    const result = await finished(live);
    expect(surface.shown().join('')).toBe(answer);
    expect(surface.writes.filter((w) => w.kind === 'post').map((w) => w.id)).not.toContain('m0');
    expect(surface.writes.find((w) => w.id === 'm0')?.kind).toBe('edit');
    expect(result.refs.map((r) => r.id)).toEqual(surface.messages.map((m) => m.id));
    expect(surface.writes.some((w) => w.kind === 'delete')).toBe(false);
  });

  test('on a surface that cannot delete, the parts the new answer does not need are left as they were', async () => {
    const { surface, live } = setup({ earlier: ['old part one', 'old part two'] });
    Object.defineProperty(surface, 'delete', { value: undefined });
    live.push(text('New.'));
    const result = await finished(live);
    expect(surface.shown()).toEqual(['New.', 'old part two']);
    expect(result.refs).toEqual([{ id: 'm0' }, { id: 'm1' }]);
  });

  test('on a surface with another way to write (Slack: chat.update beside native streaming), it takes that way before its first write: its edits count where they are made', async () => {
    const surface = new FakeSurface({ name: 'native' });
    const existing = surface.seed(['old part one', 'old part two']);
    let overflows = 0;
    const byUpdate = { post: { key: 'update:post', limit: 5, windowMs: 5000 }, edit: { key: 'update:edit', limit: 5, windowMs: 5000 } };
    Object.assign(surface, {
      overflow: () => {
        overflows += 1;
        Object.defineProperty(surface, 'scopes', { value: byUpdate });
      },
    });
    const live = new LiveMessage({ surface, scheduler: new WriteScheduler(), reasoningDisplay: 'status', signal: new AbortController().signal, existing });
    live.push(text('A new answer.'));
    await finished(live);
    expect(overflows).toBe(1);
    expect(surface.shown()).toEqual(['A new answer.']);
    expect(surface.writes.map((w) => [w.kind, w.scope])).toEqual([
      ['edit', 'update:edit'],
      ['delete', 'update:edit'],
    ]);
  });

  test('the previous answer put back in place of a failed one shows with the error below it', async () => {
    const { surface, live } = setup({ earlier: ['The old answer.'] });
    live.push(text('A new answer that broke'));
    await vi.advanceTimersByTimeAsync(100);
    live.replaceAnswer('The old answer.');
    await finished(live, { note: 'It failed.' });
    expect(surface.shown()).toEqual(['The old answer.\n\nIt failed.']);
  });
});

describe('which message carries the answer’s controls', () => {
  test('only the last message of a finished answer is written as its last; sealed parts and live frames are not', async () => {
    const { surface, live } = setup({ maxMessageLength: 300 });
    const answer = Array.from({ length: 20 }, (_, i) => `Sentence number ${i} says something. `).join('');
    for (let i = 0; i < answer.length; i += 40) {
      live.push(text(answer.slice(i, i + 40)));
      await vi.advanceTimersByTimeAsync(200);
    }
    await finished(live);
    const lastId = surface.messages.at(-1)?.id;
    expect(surface.messages.length).toBeGreaterThan(1);
    expect(surface.writes.filter((w) => w.last).map((w) => w.id)).toEqual([lastId]);
    expect(surface.writes.at(-1)).toMatchObject({ id: lastId, state: 'final', last: true });
  });

  test('a message sealed as final, then found to be the last, is written again as the last', async () => {
    const { surface, live } = setup({ earlier: ['old one', 'old two'] });
    live.push(text('Only one part.'));
    await vi.advanceTimersByTimeAsync(100);
    await finished(live);
    const lastWrites = surface.writes.filter((w) => w.id === 'm0');
    expect(lastWrites.at(-1)).toMatchObject({ state: 'final', last: true });
  });
});
