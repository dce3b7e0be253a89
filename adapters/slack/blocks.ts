/**
 * The Block Kit an answer is shown with: its mrkdwn in section blocks, then the
 * controls for its state. A live answer offers Stop; a final one offers a model
 * picker, "New conversation" and "Regenerate", because Slack runs no slash commands
 * inside threads (platform-limits.md §2e), so a thread can only be steered from
 * its own messages; below them 👍/👎 as Slack's own `feedback_buttons`, which live
 * in a `context_actions` block only (docs.slack.dev reference/block-kit/blocks/
 * context-actions-block: feedback buttons and icon buttons, at most 5). The same
 * blocks go under a natively streamed answer, through chat.stopStream.
 */
import type { types } from '@slack/bolt';
import type { Logger } from 'pino';
import type { UserText } from '../../src/user-text.ts';

type KnownBlock = types.KnownBlock;

export const ACTION = {
  stop: 'stop',
  modelPick: 'model_pick',
  newConversation: 'new_conversation',
  channelModelPick: 'channel_model_pick',
  regenerate: 'regenerate',
  feedback: 'feedback',
} as const;

/** Block Kit limits: a section's text holds at most 3,000 characters, a message at most 50 blocks. */
const SECTION_MAX = 3000;

/**
 * What to show under an answer's text. `askerId` is who asked: the buttons carry it,
 * so a press is checked against moderation.ts without a lookup.
 */
export type AnswerControls =
  | { readonly type: 'none' }
  | { readonly type: 'stop'; readonly turnId: string; readonly askerId?: string | undefined }
  | {
      readonly type: 'final';
      readonly conversationId: string;
      /** The answer's turn: Regenerate and 👍/👎 act on it. */
      readonly turnId: string;
      readonly askerId?: string | undefined;
      readonly models: readonly string[];
      readonly current: string;
    };

/**
 * The finished answer's controls: the model picker with the conversation's current
 * model, and New conversation. None when the model cannot be read: the answer
 * matters more than its picker.
 */
export async function finalControls(
  thread: { readonly conversationId: string; readonly turnId: string; readonly askerId?: string | undefined },
  models: () => Promise<{ models: readonly string[]; current: string }>,
  logger: Logger,
): Promise<AnswerControls> {
  try {
    const { models: offered, current } = await models();
    return { type: 'final', conversationId: thread.conversationId, turnId: thread.turnId, askerId: thread.askerId, models: offered, current };
  } catch (err) {
    logger.warn({ err }, 'could not read the model for the picker');
    return { type: 'none' };
  }
}

/** Splits mrkdwn into section-sized pieces, at a line break where there is one. */
export function sectionTexts(mrkdwn: string): string[] {
  const parts: string[] = [];
  let rest = mrkdwn;
  while (rest.length > SECTION_MAX) {
    const cut = rest.lastIndexOf('\n', SECTION_MAX);
    const at = cut > SECTION_MAX / 2 ? cut : SECTION_MAX;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest.trim() !== '') parts.push(rest);
  return parts;
}

/** The option value of the thread picker: the conversation it switches, and the model. */
export function encodePick(conversationId: string, model: string): string {
  return JSON.stringify([conversationId, model]);
}

export function decodePick(value: string): { conversationId: string; model: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { conversationId: parsed[0], model: parsed[1] };
    }
  } catch {
    // not ours
  }
  return undefined;
}

/**
 * A button's value: what it acts on (a turn, a conversation) and who asked, as
 * `["<id>","<asker>"]`. Buttons posted before askers were carried hold the bare id.
 */
export function encodeControlValue(id: string, askerId: string | undefined): string {
  return askerId === undefined ? id : JSON.stringify([id, askerId]);
}

export function decodeControlValue(value: string): { id: string; askerId: string | undefined } {
  if (value.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') return { id: parsed[0], askerId: parsed[1] };
    } catch {
      // not ours: read as a bare id
    }
  }
  return { id: value, askerId: undefined };
}

/** What Regenerate acts on: `["<conversationId>","<turnId>","<asker>"]` (the asker empty when unknown). */
export function encodeRegenerate(conversationId: string, turnId: string, askerId: string | undefined): string {
  return JSON.stringify([conversationId, turnId, askerId ?? '']);
}

export function decodeRegenerate(value: string): { conversationId: string; turnId: string; askerId: string | undefined } | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((p) => typeof p === 'string')) {
      const [conversationId, turnId, askerId] = parsed as [string, string, string];
      return { conversationId, turnId, askerId: askerId || undefined };
    }
  } catch {
    // not ours
  }
  return undefined;
}

/** What a feedback button sends: `["up"|"down","<conversationId>","<turnId>"]`. */
export function encodeVote(rating: 'up' | 'down', conversationId: string, turnId: string): string {
  return JSON.stringify([rating, conversationId, turnId]);
}

export function decodeVote(value: string): { rating: 'up' | 'down'; conversationId: string; turnId: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && (parsed[0] === 'up' || parsed[0] === 'down') && typeof parsed[1] === 'string' && typeof parsed[2] === 'string') {
      return { rating: parsed[0], conversationId: parsed[1], turnId: parsed[2] };
    }
  } catch {
    // not ours
  }
  return undefined;
}

const option = (label: string, value: string) => ({ text: { type: 'plain_text' as const, text: label.slice(0, 75) }, value });

/** A static_select of the models, with the current one selected and marked. */
function modelSelect(actionId: string, models: readonly string[], current: string, value: (model: string) => string, texts: UserText) {
  const options = models.slice(0, 100).map((m) => option(m === current ? texts.modelPickerCurrent(m) : m, value(m)));
  const initial = options[models.indexOf(current)];
  return {
    type: 'static_select' as const,
    action_id: actionId,
    placeholder: { type: 'plain_text' as const, text: texts.modelPickerPlaceholder },
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
}

/** The blocks of an answer's message, its controls labelled in the asker's language. */
export function answerBlocks(mrkdwn: string, controls: AnswerControls, texts: UserText): KnownBlock[] {
  const blocks: KnownBlock[] = sectionTexts(mrkdwn).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  if (controls.type === 'stop') {
    blocks.push({
      type: 'actions',
      block_id: 'answer_live',
      elements: [
        {
          type: 'button',
          action_id: ACTION.stop,
          text: { type: 'plain_text', text: texts.stopButton },
          value: encodeControlValue(controls.turnId, controls.askerId),
        },
      ],
    });
  } else if (controls.type === 'final') {
    blocks.push({
      type: 'actions',
      block_id: 'answer_final',
      elements: [
        modelSelect(ACTION.modelPick, controls.models, controls.current, (m) => encodePick(controls.conversationId, m), texts),
        {
          type: 'button',
          action_id: ACTION.newConversation,
          text: { type: 'plain_text', text: texts.newConversationButton },
          value: encodeControlValue(controls.conversationId, controls.askerId),
        },
        {
          type: 'button',
          action_id: ACTION.regenerate,
          text: { type: 'plain_text', text: texts.regenerateButton },
          value: encodeRegenerate(controls.conversationId, controls.turnId, controls.askerId),
        },
      ],
    });
    blocks.push(feedbackBlock(controls.conversationId, controls.turnId, texts));
  }
  return blocks;
}

/** 👍/👎 under a finished answer; no block_id: Slack wants a new one for each version of a message, and makes one. */
function feedbackBlock(conversationId: string, turnId: string, texts: UserText): KnownBlock {
  const button = (rating: 'up' | 'down') => ({
    text: { type: 'plain_text' as const, text: texts.feedbackButtons[rating] },
    accessibility_label: texts.feedbackLabels[rating],
    value: encodeVote(rating, conversationId, turnId),
  });
  return {
    type: 'context_actions',
    elements: [{ type: 'feedback_buttons', action_id: ACTION.feedback, positive_button: button('up'), negative_button: button('down') }],
  };
}

/** The ephemeral `/model` answer: the list as text and a picker for the channel's default. */
export function channelModelBlocks(listMrkdwn: string, channelId: string, models: readonly string[], current: string, texts: UserText): KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: listMrkdwn } },
    { type: 'actions', block_id: channelId, elements: [modelSelect(ACTION.channelModelPick, models, current, (m) => m, texts)] },
  ];
}
