import { expect, test } from 'vitest';
import { PromptClock, renderSystemPrompt } from '../../src/conversation/system-prompt.ts';
import { DEFAULT_SYSTEM_PROMPT } from '../../src/config.ts';

// 2026-05-01 22:30 UTC: already Saturday in Tokyo.
const now = Date.UTC(2026, 4, 1, 22, 30);

test('placeholders are filled for the turn, date and time in the configured zone', () => {
  const template = '{bot_name} on {platform} in {channel}: {date}, {time}. Keep {json} as is.';
  const place = { platform: 'Discord', channel: '#general', botName: 'Gemini' };
  expect(renderSystemPrompt(template, { now, clock: new PromptClock('UTC'), place })).toBe(
    'Gemini on Discord in #general: Friday, 2026-05-01, 22:30 (UTC). Keep {json} as is.',
  );
  expect(renderSystemPrompt('{date} {time}', { now, clock: new PromptClock('Asia/Tokyo'), place })).toBe('Saturday, 2026-05-02 07:30 (Asia/Tokyo)');
});

test('the default prompt says what the bot is, today’s date and to answer in the question’s language', () => {
  const prompt = renderSystemPrompt(DEFAULT_SYSTEM_PROMPT, { now, clock: new PromptClock('UTC'), place: undefined });
  expect(prompt).toContain('You are Gemini');
  expect(prompt).toContain('Today is Friday, 2026-05-01');
  expect(prompt).toContain('in the language of the question');
  expect(prompt).not.toMatch(/\{\w+\}/);
});
