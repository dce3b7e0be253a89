/**
 * The discord.js Client the adapter runs on, configured for a chat bot that
 * streams by editing: the intents and partials it needs to hear mentions, thread
 * messages and DMs; no pings from anything it writes; and REST that hands message
 * rate limits back to the core's scheduler instead of queueing stale edits.
 */
import { Client, GatewayIntentBits, Partials, type RateLimitData } from 'discord.js';
import type { DiscordConfig } from '../../src/config.ts';

/** Message creates and edits in channels, and interaction webhook messages: the writes the core's scheduler paces. */
const SCHEDULED_WRITE = /^\/channels\/:id\/messages(\/:id)?$|^\/webhooks\/:id\/:token(\/messages\/(:id|@original))?$/;

/**
 * discord.js queues a rate-limited request and replays it after the reset, which
 * for streaming means seconds of stale edits. Rejecting instead lets the core's
 * WriteScheduler coalesce to the latest text and retry after `retryAfter`
 * (@discordjs/rest 2.6 `onRateLimit`: checked both before a request while the
 * bucket is known to be empty and on an unexpected 429).
 */
export function rejectScheduledWrites(data: RateLimitData): boolean {
  const method = data.method.toUpperCase();
  return (method === 'PATCH' || method === 'POST') && SCHEDULED_WRITE.test(data.route);
}

export function createDiscordClient(config: DiscordConfig): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      // Privileged: enable "Message Content Intent" in the developer portal (docs/discord.md).
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    // DM channels are never announced before their first message: without Partials.Channel
    // discord.js drops DM MESSAGE_CREATE events silently.
    partials: [Partials.Channel, Partials.Message],
    // Model output must never ping; every post and edit also sends this explicitly.
    allowedMentions: { parse: [], repliedUser: false },
    rest: {
      ...(config.apiBase ? { api: config.apiBase } : {}),
      rejectOnRateLimit: rejectScheduledWrites,
    },
    ...(config.shardCount !== undefined ? { shards: [config.shardId ?? 0], shardCount: config.shardCount } : {}),
  });
}
