/**
 * The Block Kit under a finished answer, checked the way Slack checks it (the fake's
 * `blocksProblem`): Regenerate with the other buttons, 👍/👎 as feedback_buttons in a
 * context_actions block, each carrying what a press acts on.
 */
import { userTextIn } from '../../../src/user-text.ts';
import { expect, test } from 'vitest';
import { answerBlocks, decodeRegenerate, decodeVote } from '../../../adapters/slack/blocks.ts';
import { blocksProblem } from '../../fakes/slack/blocks.ts';

const final = { type: 'final', conversationId: 'slack:T1:C1:1.1', turnId: 'slack:T1:C1:1.1:1.2', askerId: 'U1', models: ['a', 'b'], current: 'a' } as const;

test('a finished answer carries Regenerate and feedback buttons Slack accepts, each naming the answer', () => {
  const blocks = answerBlocks('The answer.', final, userTextIn('en')) as { type: string; elements?: Record<string, unknown>[] }[];
  expect(blocksProblem(blocks)).toBeUndefined();
  const regenerate = blocks.find((b) => b.type === 'actions')?.elements?.find((e) => e.action_id === 'regenerate');
  expect(decodeRegenerate(String(regenerate?.value))).toEqual({ conversationId: final.conversationId, turnId: final.turnId, askerId: 'U1' });
  const feedback = blocks.find((b) => b.type === 'context_actions')?.elements?.[0] as { type: string; positive_button: { value: string }; negative_button: { value: string } };
  expect(feedback.type).toBe('feedback_buttons');
  expect(decodeVote(feedback.positive_button.value)).toEqual({ rating: 'up', conversationId: final.conversationId, turnId: final.turnId });
  expect(decodeVote(feedback.negative_button.value)?.rating).toBe('down');
});

test('Slack refuses feedback buttons outside a context_actions block, and buttons inside one', () => {
  const feedback = { type: 'feedback_buttons', positive_button: { text: { type: 'plain_text', text: '👍' }, value: 'u' }, negative_button: { text: { type: 'plain_text', text: '👎' }, value: 'd' } };
  expect(blocksProblem([{ type: 'actions', elements: [feedback] }])).toMatch(/context_actions/);
  expect(blocksProblem([{ type: 'context_actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'x' } }] }])).toMatch(/cannot hold a button/);
  expect(blocksProblem([{ type: 'context_actions', elements: [feedback] }])).toBeUndefined();
});

test('a button from an older version (no asker) still decodes', () => {
  expect(decodeRegenerate(JSON.stringify(['slack:T1:C1:1.1', 'slack:T1:C1:1.1:1.2', '']))?.askerId).toBeUndefined();
  expect(decodeRegenerate('not ours')).toBeUndefined();
});
