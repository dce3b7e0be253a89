/**
 * The Stop button under an answer that is still streaming: `stop:<turnId>:<askerId>`,
 * shown while the message is `live` and removed when it is `final`. It carries who
 * asked, so a press can be checked against moderation.ts without a lookup
 * (Discord allows 100 characters of custom_id; two snowflakes take at most 40).
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';
import type { MessageState } from '../../src/surface.ts';
import type { UserText } from '../../src/user-text.ts';

const PREFIX = 'stop:';

export function stopCustomId(turnId: string, askerId: string | undefined): string {
  return askerId ? `${PREFIX}${turnId}:${askerId}` : `${PREFIX}${turnId}`;
}

/** The turn a button stops and who asked for it, or undefined if it is not a Stop button. Older buttons name no asker. */
export function parseStopButton(customId: string): { turnId: string; askerId: string | undefined } | undefined {
  if (!customId.startsWith(PREFIX)) return undefined;
  const [turnId = '', askerId] = customId.slice(PREFIX.length).split(':');
  return turnId ? { turnId, askerId } : undefined;
}

/** The components of an answer message: a Stop button while live, none once final. */
export function stopControls(state: MessageState, turnId: string, askerId: string | undefined, texts: UserText): APIActionRowComponent<APIButtonComponent>[] {
  if (state === 'final') return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: texts.stopButton,
          emoji: { name: '⏹️' },
          custom_id: stopCustomId(turnId, askerId),
        },
      ],
    },
  ];
}
