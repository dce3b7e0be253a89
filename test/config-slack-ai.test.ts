import { expect, test } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { userTextIn } from '../src/user-text.ts';

const userText = userTextIn('en');

const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };

test('without settings, Slack picks its AI surface by itself and offers the four default prompts, in each language', () => {
  const result = loadConfig(slack);
  if (!result.ok) throw new Error(result.problems.join());
  expect(result.config.slack?.aiExperience).toBe('auto');
  // Undefined: the bot's own prompts, in the language of whoever they are offered to.
  expect(result.config.slack?.suggestedPrompts).toBeUndefined();
  expect(userText.suggestedPrompts).toHaveLength(4);
  expect(userTextIn('zh-TW').suggestedPrompts).toHaveLength(4);
  expect(userTextIn('zh-CN').suggestedPrompts[0]?.title).toBe('解释一个概念');
});

test('SLACK_SUGGESTED_PROMPTS takes Label|Question pairs separated by ;;, a lone text serving as both', () => {
  const result = loadConfig({ ...slack, SLACK_SUGGESTED_PROMPTS: ' Explain | Explain this simply ;; What is new?;;  ' });
  if (!result.ok) throw new Error(result.problems.join());
  expect(result.config.slack?.suggestedPrompts).toEqual([
    { title: 'Explain', message: 'Explain this simply' },
    { title: 'What is new?', message: 'What is new?' },
  ]);
});

test.each([
  ['a fifth prompt', 'a|1;;b|2;;c|3;;d|4;;e|5', /SLACK_SUGGESTED_PROMPTS: .*at most four/],
  ['a label without a question', 'Explain|', /SLACK_SUGGESTED_PROMPTS.*: each prompt needs a question/],
  ['a question without a label', '|Explain this', /SLACK_SUGGESTED_PROMPTS.*: each prompt needs a label/],
  ['a label longer than a button holds', `${'x'.repeat(76)}|q`, /SLACK_SUGGESTED_PROMPTS.*: a label may be 75 characters/],
])('SLACK_SUGGESTED_PROMPTS with %s is refused with the reason', (_what, value, reason) => {
  const result = loadConfig({ ...slack, SLACK_SUGGESTED_PROMPTS: value });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.problems.join('\n')).toMatch(reason);
});

test('SLACK_AI_EXPERIENCE takes only the surfaces it knows', () => {
  const result = loadConfig({ ...slack, SLACK_AI_EXPERIENCE: 'sidebar' });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.problems.join()).toMatch(/^SLACK_AI_EXPERIENCE/);
  const off = loadConfig({ ...slack, SLACK_AI_EXPERIENCE: 'off' });
  expect(off.ok && off.config.slack?.aiExperience).toBe('off');
});
