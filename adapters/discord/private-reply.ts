/** Replies only the person who clicked or commanded can see (refusals, notices). */
import { MessageFlags, type RepliableInteraction } from 'discord.js';

/** No pings from a reply, not even of the person it answers. */
export const NO_PINGS = { parse: [], repliedUser: false } as const;

export async function replyPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
}
