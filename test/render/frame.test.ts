import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ReasoningDisplay } from '../../src/config.ts';
import { frames, type RenderState } from '../../src/render/frame.ts';
import { LiveMessage } from '../../src/render/live-message.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { startCursor } from '../../src/render/split.ts';
import { userTextIn } from '../../src/user-text.ts';
import { FakeSurface } from './fake-surface.ts';

const userText = userTextIn('en');

const state = (over: Partial<RenderState>): RenderState => ({
  maxLength: 2000,
  reasoningDisplay: 'status',
  texts: userText,
  reasoning: '',
  answer: '',
  started: true,
  notices: [],
  sealed: [],
  cursor: startCursor,
  end: undefined,
  ...over,
});

describe('frames for an append-only surface', () => {
  test('while the model thinks there is nothing to show, and a notice shows alone', () => {
    expect(frames(state({ reasoning: '**Plan** first', appendOnly: true }))).toEqual([]);
    expect(frames(state({ reasoning: '**Plan** first' }))[0]?.text).toContain(userText.thinking('Plan'));
    expect(frames(state({ notices: ['skipped a.zip'], appendOnly: true }))).toEqual([{ text: 'skipped a.zip', state: 'live' }]);
  });

  test('a code block still being written is not closed in the live frame', () => {
    const answer = 'Here:\n```ts\nconst a = 1;\n';
    expect(frames(state({ answer }))[0]?.text).toBe(`${answer}\`\`\``);
    expect(frames(state({ answer, appendOnly: true }))[0]?.text).toBe(answer);
    // The final frame closes it after what was shown.
    const final = frames(state({ answer, appendOnly: true, end: { note: 'cut' } }))[0]?.text ?? '';
    expect(final.startsWith(answer)).toBe(true);
  });
});

/** Every write of each message, in order, for a surface that says it is append-only. */
class AppendOnlySurface extends FakeSurface {
  readonly appendOnly = true;
  finishedCalls = 0;
  async finished(): Promise<void> {
    this.finishedCalls += 1;
  }
  history(): Map<string, string[]> {
    const byMessage = new Map<string, string[]>();
    for (const write of this.writes) byMessage.set(write.id, [...(byMessage.get(write.id) ?? []), write.text]);
    return byMessage;
  }
}

describe('LiveMessage on an append-only surface', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function run(events: Array<{ type: 'text' | 'reasoning'; text: string }>, opts: { maxMessageLength?: number; reasoningDisplay?: ReasoningDisplay; note?: string } = {}) {
    const surface = new AppendOnlySurface({ maxMessageLength: opts.maxMessageLength ?? 2000, latencyMs: 30 });
    const live = new LiveMessage({
      surface,
      scheduler: new WriteScheduler(),
      reasoningDisplay: opts.reasoningDisplay ?? 'status',
      signal: new AbortController().signal,
    });
    for (const event of events) {
      live.push(event);
      await vi.advanceTimersByTimeAsync(7);
    }
    const done = live.finish(opts.note ? { note: opts.note } : {});
    await vi.runAllTimersAsync();
    await done;
    return surface;
  }

  const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => ({ type: 'text' as const, text: text.slice(i * size, (i + 1) * size) }));

  test('each write of a message starts with the one before, through thinking, code and a split', async () => {
    const code = Array.from({ length: 40 }, (_, i) => `  line(${i});`).join('\n');
    const answer = `Intro paragraph.\n\n\`\`\`js\n${code}\n\`\`\`\n\n${'More words here. '.repeat(30)}`;
    const surface = await run([{ type: 'reasoning', text: '**Planning** the answer' }, ...pieces(answer, 11)], { maxMessageLength: 300, note: '_note_' });
    expect(surface.messages.length).toBeGreaterThan(2);
    for (const [, texts] of surface.history()) {
      for (let i = 1; i < texts.length; i += 1) expect(texts[i]?.startsWith(texts[i - 1] ?? '')).toBe(true);
    }
    expect(surface.writes.some((w) => w.text.includes(userText.thinking('Planning')))).toBe(false);
    expect(surface.finishedCalls).toBe(1);
  });

  test('a note that no longer fits after the text already shown gets a message of its own', async () => {
    const answer = 'word '.repeat(58);
    const surface = await run(pieces(answer, 50), { maxMessageLength: 300, note: 'a note long enough to not fit' });
    expect(surface.shown()).toEqual([answer, 'a note long enough to not fit']);
    for (const [, texts] of surface.history()) {
      for (let i = 1; i < texts.length; i += 1) expect(texts[i]?.startsWith(texts[i - 1] ?? '')).toBe(true);
    }
  });
});
