/**
 * The Stop button under an answer that is still streaming: `stop:<turnId>`,
 * shown while the message is `live` and removed when it is `final`.
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';
import type { MessageState } from '../../src/surface.ts';
import { userText } from '../../src/user-text.ts';

const PREFIX = 'stop:';

export function stopCustomId(turnId: string): string {
  return `${PREFIX}${turnId}`;
}

/** The turn a button's custom_id stops, or undefined if it is not a Stop button. */
export function turnIdOfStop(customId: string): string | undefined {
  return customId.startsWith(PREFIX) ? customId.slice(PREFIX.length) : undefined;
}

/** The components of an answer message: a Stop button while live, none once final. */
export function stopControls(state: MessageState, turnId: string): APIActionRowComponent<APIButtonComponent>[] {
  if (state === 'final') return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: userText.stopButton, emoji: { name: '⏹️' }, custom_id: stopCustomId(turnId) },
      ],
    },
  ];
}
