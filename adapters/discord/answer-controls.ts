/**
 * The buttons under a finished answer's last message: Regenerate, 👍 and 👎.
 * Each custom_id carries what a press needs without a lookup (Discord allows
 * 100 characters; three snowflakes and the prefixes take at most 72):
 * - `regen:<turnId>:<askerId>[:<chainRoot>]`: who asked, for moderation.ts;
 * - `vote:<up|down>:<turnId>[:<chainRoot>]`.
 * `chainRoot` names the reply chain the answer belongs to, when its conversation
 * is one (reply mode, a reply to the bot in a channel, `/ask` in a channel); in a
 * thread or a DM the channel itself is the conversation.
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';
import type { UserText } from '../../src/user-text.ts';

const REGENERATE = 'regen:';
const VOTE = 'vote:';

/** What the controls of one answer point at. */
export interface AnswerTarget {
  readonly turnId: string;
  /** Who asked; unknown for buttons an older version posted. */
  readonly askerId: string | undefined;
  readonly chainRoot?: string | undefined;
}

export type AnswerPress =
  | ({ readonly type: 'regenerate' } & AnswerTarget)
  | { readonly type: 'vote'; readonly rating: 'up' | 'down'; readonly turnId: string; readonly chainRoot: string | undefined };

const optional = (id: string | undefined) => (id ? `:${id}` : '');

export function regenerateCustomId(target: AnswerTarget): string {
  return `${REGENERATE}${target.turnId}:${target.askerId ?? ''}${optional(target.chainRoot)}`;
}

export function voteCustomId(rating: 'up' | 'down', target: AnswerTarget): string {
  return `${VOTE}${rating}:${target.turnId}${optional(target.chainRoot)}`;
}

/** The press a button's custom_id stands for, or undefined when it is not one of these. */
export function parseAnswerPress(customId: string): AnswerPress | undefined {
  if (customId.startsWith(REGENERATE)) {
    const [turnId = '', askerId = '', chainRoot] = customId.slice(REGENERATE.length).split(':');
    return turnId ? { type: 'regenerate', turnId, askerId: askerId || undefined, chainRoot: chainRoot || undefined } : undefined;
  }
  if (customId.startsWith(VOTE)) {
    const [rating, turnId = '', chainRoot] = customId.slice(VOTE.length).split(':');
    if ((rating !== 'up' && rating !== 'down') || !turnId) return undefined;
    return { type: 'vote', rating, turnId, chainRoot: chainRoot || undefined };
  }
  return undefined;
}

/** The row under a finished answer, labelled in the asker's language. */
export function answerControls(target: AnswerTarget, texts: UserText): APIActionRowComponent<APIButtonComponent>[] {
  const vote = (rating: 'up' | 'down'): APIButtonComponent => ({
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    emoji: { name: texts.feedbackButtons[rating] },
    custom_id: voteCustomId(rating, target),
  });
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: texts.regenerateButton,
          emoji: { name: '🔄' },
          custom_id: regenerateCustomId(target),
        },
        vote('up'),
        vote('down'),
      ],
    },
  ];
}
