/**
 * What the fake Slack checks of the Block Kit it is sent, as Slack does before it
 * posts: the limits a bot could get wrong answer `invalid_blocks`. Sources:
 * docs.slack.dev reference/block-kit/blocks (50 blocks a message; actions: 25
 * elements; section text 3,000 characters), blocks/context-actions-block (only
 * feedback buttons and icon buttons, at most 5), block-elements/feedback-buttons-element
 * (both buttons, each with plain_text text of at most 75 characters and a value of at
 * most 2,000), block-elements/button-element (the same limits on text and value).
 */

/** Block types Slack knows in messages; anything else is refused. */
const KNOWN = new Set(['section', 'actions', 'context', 'context_actions', 'markdown', 'divider', 'header', 'image', 'rich_text', 'video', 'file', 'table', 'input']);

type Json = Record<string, unknown>;

const plainText = (value: unknown, max: number) => {
  const t = value as Json | undefined;
  return t?.type === 'plain_text' && typeof t.text === 'string' && t.text.length > 0 && t.text.length <= max;
};
const valueOk = (value: unknown) => value === undefined || (typeof value === 'string' && value.length <= 2000);

function buttonProblem(element: Json): string | undefined {
  if (!plainText(element.text, 75)) return 'button text must be plain_text of 1-75 characters';
  if (!valueOk(element.value)) return 'button value must be at most 2000 characters';
  return undefined;
}

function contextActionsProblem(block: Json): string | undefined {
  const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
  if (elements.length === 0 || elements.length > 5) return 'context_actions must have 1-5 elements';
  for (const element of elements) {
    if (element.type === 'icon_button') {
      if (element.icon !== 'trash' || !plainText(element.text, 75)) return 'icon_button needs icon "trash" and plain_text text';
      continue;
    }
    if (element.type !== 'feedback_buttons') return `context_actions cannot hold a ${String(element.type)} element`;
    for (const side of ['positive_button', 'negative_button']) {
      const button = element[side] as Json | undefined;
      if (!button || !plainText(button.text, 75) || typeof button.value !== 'string' || !valueOk(button.value)) return `feedback_buttons needs a ${side} with text and value`;
    }
  }
  return undefined;
}

/** Why Slack would refuse these blocks, or undefined when it takes them. */
export function blocksProblem(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > 50) return 'at most 50 blocks';
  for (const block of blocks as Json[]) {
    if (typeof block.type !== 'string' || !KNOWN.has(block.type)) return `unknown block type ${String(block.type)}`;
    if (block.type === 'section' && typeof (block.text as Json | undefined)?.text === 'string' && ((block.text as Json).text as string).length > 3000) {
      return 'section text must be at most 3000 characters';
    }
    if (block.type === 'actions') {
      const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
      if (elements.length === 0 || elements.length > 25) return 'actions must have 1-25 elements';
      for (const element of elements) {
        if (element.type === 'feedback_buttons' || element.type === 'icon_button') return `${element.type} belongs in a context_actions block`;
        const problem = element.type === 'button' ? buttonProblem(element) : undefined;
        if (problem) return problem;
      }
    }
    if (block.type === 'context_actions') {
      const problem = contextActionsProblem(block);
      if (problem) return problem;
    }
  }
  return undefined;
}
