/**
 * Threads people open (not the bot): from a channel message, whose thread opens
 * with a THREAD_STARTER_MESSAGE (type 21) pointing back at it, or as a forum post,
 * whose first message lives in the thread and has the thread's id.
 * Source: discord-api-docs resources/channel.mdx (Start Thread from Message,
 * Start Thread in Forum or Media Channel), resources/message.mdx (Message Types).
 */
import { GatewayIntentBits } from 'discord-api-types/v10';
import type { FakeDiscordState } from './state.ts';
import type { FakeChannel, FakeMessage, FakeUser } from './world.ts';

export type UserThreadSpec =
  /** A thread started from `from`, a message in a text channel. */
  | { readonly name: string; readonly owner: FakeUser; readonly from: FakeMessage }
  /** A post in the guild's forum channel (made on first use), opening with `content`. */
  | { readonly name: string; readonly owner: FakeUser; readonly forumPost: string };

export function createUserThread(state: FakeDiscordState, spec: UserThreadSpec): FakeChannel {
  if ('from' in spec) {
    const thread = state.createThread(spec.from.channel_id, spec.from.id, spec.name, 1440, spec.owner);
    state.createMessage({ channelId: thread.id, author: spec.owner, content: '', replyTo: spec.from.id, type: 21 });
    return thread;
  }
  const forum = forumChannel(state);
  const thread = state.createThread(forum.id, state.ids.next(), spec.name, 1440, spec.owner);
  state.createMessage({ channelId: thread.id, author: spec.owner, content: spec.forumPost, id: thread.id });
  return thread;
}

/** The guild's forum channel (type 15), announced with CHANNEL_CREATE the first time. */
function forumChannel(state: FakeDiscordState): FakeChannel {
  const existing = [...state.world.channels.values()].find((c) => c.type === 15);
  if (existing) return existing;
  const forum: FakeChannel & Record<string, unknown> = {
    id: state.ids.next(),
    type: 15,
    guild_id: state.world.guildId,
    name: 'help',
    parent_id: null,
    position: 1,
    permission_overwrites: [],
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    available_tags: [],
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
  };
  state.world.channels.set(forum.id, forum);
  state.gateway.dispatch('CHANNEL_CREATE', forum, { guildId: forum.guild_id, intents: GatewayIntentBits.Guilds });
  return forum;
}
