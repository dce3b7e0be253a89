/** Where a Discord turn happens, in the words the system prompt's `{platform}`, `{channel}` and `{bot_name}` take. */
import { ChannelType, type Client, type TextBasedChannel } from 'discord.js';
import type { TurnPlace } from '../../src/conversation/types.ts';

export function turnPlace(channel: TextBasedChannel | null, client: Client<true>): TurnPlace {
  const me = channel && 'guild' in channel ? channel.guild.members.me : undefined;
  const botName = me?.displayName ?? client.user.displayName;
  if (!channel || channel.type === ChannelType.DM || channel.type === ChannelType.GroupDM) {
    return { platform: 'Discord', channel: 'a direct message', botName };
  }
  if (channel.isThread()) {
    const parent = channel.parent ? ` in #${channel.parent.name}` : '';
    return { platform: 'Discord', channel: `the thread “${channel.name}”${parent}`, botName };
  }
  return { platform: 'Discord', channel: 'name' in channel ? `#${channel.name}` : 'a channel', botName };
}
