/**
 * `/persona`: shows the persona that applies here (`/persona`), sets it
 * (`/persona text:…`) or goes back to the default (`/persona clear:True`, or
 * `text: clear`). In a channel it is the channel's; in a thread, that thread's;
 * in a DM, the DM's. Changing it needs the permission that changing the
 * channel's default model needs (Manage Channels), except in a DM.
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import type { ConversationCore, ModelTarget } from '../../src/conversation/core.ts';
import type { UserText } from '../../src/user-text.ts';
import { OPTION } from './commands.ts';
import { CHANNEL_SETTINGS_PERMISSION } from './moderation.ts';

/** Where `/persona` was run: the setting it changes, and how the reply names the place. */
export interface PersonaPlace {
  readonly target: ModelTarget;
  readonly where: 'channel' | 'thread' | 'conversation';
  /** The conversation and channel whose persona a turn here would use (for showing it). */
  readonly lookup: { readonly conversationId: string; readonly channelId: string };
}

export async function personaReply(
  interaction: ChatInputCommandInteraction,
  opts: { readonly core: ConversationCore; readonly place: PersonaPlace; readonly mayChange: boolean; readonly texts: UserText },
): Promise<string> {
  const { core, place, texts } = opts;
  const text = interaction.options.getString(OPTION.text);
  const clear = interaction.options.getBoolean(OPTION.clear) === true || text?.trim().toLowerCase() === 'clear';
  if (text === null && !clear) {
    const persona = await core.personaFor(place.lookup.conversationId, place.lookup.channelId);
    return persona === undefined ? texts.personaNone : texts.personaShown(persona);
  }
  if (!opts.mayChange) return texts.personaNeedsPermission(CHANNEL_SETTINGS_PERMISSION);
  if (clear) {
    await core.clearPersona(place.target);
    return texts.personaCleared(place.where);
  }
  const change = await core.setPersona(place.target, text ?? '', texts.locale);
  return change.ok ? texts.personaSet(place.where) : change.userText;
}
