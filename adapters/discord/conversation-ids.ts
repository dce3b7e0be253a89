/**
 * The opaque ids the core sees, built from Discord ids. A thread is one
 * conversation; its parent channel holds the default model, so `/model` in a
 * channel sets the default for new threads there. In reply mode (and for
 * `/ask` outside threads) a conversation is a reply chain, named by its root.
 */

/** The conversation of a thread, or of a DM channel (`guildId` undefined). */
export function conversationOfChannel(guildId: string | null | undefined, channelId: string): string {
  return guildId ? `discord:${guildId}:${channelId}` : `discord:dm:${channelId}`;
}

/** The key of the channel whose default model applies (a thread's parent; a DM is its own). */
export const channelKey = conversationOfChannel;

/** The server a guild channel belongs to, for its daily token quota and `/usage`'s top users. */
export const workspaceOf = (guildId: string): string => `discord:${guildId}`;

/** A reply chain in a channel, named by its root: the first user message, or the `/ask` interaction. */
export function conversationOfReplyChain(guildId: string | null | undefined, channelId: string, rootId: string): string {
  return `${conversationOfChannel(guildId, channelId)}:${rootId}`;
}
