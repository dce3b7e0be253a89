import { expect, test } from 'vitest';
import type { ReasoningDisplay } from '../../src/config.ts';
import { LiveMessage } from '../../src/render/live-message.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import type { AnswerProgress } from '../../src/surface.ts';
import { FakeSurface } from './fake-surface.ts';

/** A surface with a status line of its own, recording what it was told. */
class StatusSurface extends FakeSurface {
  readonly told: AnswerProgress[] = [];
  showProgress(progress: AnswerProgress): void {
    this.told.push(progress);
  }
}

function live(mode: ReasoningDisplay) {
  const surface = new StatusSurface();
  const message = new LiveMessage({ surface, scheduler: new WriteScheduler(), reasoningDisplay: mode, signal: new AbortController().signal });
  return { surface, message };
}

test('a status line hears the latest reasoning heading while the model thinks, then that the answer started', () => {
  const { surface, message } = live('status');
  message.push({ type: 'reasoning', text: '**Reading the' });
  message.push({ type: 'reasoning', text: ' question**\n\nplain thoughts' });
  message.push({ type: 'reasoning', text: ' with no new heading' });
  message.push({ type: 'reasoning', text: '\n\n**Checking facts**\n\n' });
  message.push({ type: 'text', text: ' ' });
  message.push({ type: 'text', text: 'The answer' });
  message.push({ type: 'text', text: ' goes on' });
  message.push({ type: 'reasoning', text: '**Late heading**' });
  expect(surface.told).toEqual([
    { type: 'thinking', heading: undefined },
    { type: 'thinking', heading: 'Reading the question' },
    { type: 'thinking', heading: 'Checking facts' },
    { type: 'answering' },
  ]);
});

test('outside status mode the status line only hears thinking, without headings', () => {
  const { surface, message } = live('full');
  message.push({ type: 'reasoning', text: '**A heading**' });
  message.push({ type: 'reasoning', text: '**Another**' });
  message.push({ type: 'text', text: 'Hi' });
  expect(surface.told).toEqual([{ type: 'thinking', heading: undefined }, { type: 'answering' }]);
});

test('an answer without reasoning goes straight to answering', () => {
  const { surface, message } = live('status');
  message.push({ type: 'text', text: 'Hello' });
  expect(surface.told).toEqual([{ type: 'answering' }]);
});
