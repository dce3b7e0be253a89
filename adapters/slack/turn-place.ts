/**
 * Where a Slack turn happens, in the words the system prompt's `{platform}`,
 * `{channel}` and `{bot_name}` take: `#general` (conversations.info, scopes
 * channels:read, groups:read, mpim:read; one call per channel per hour), `a
 * direct message` without a call. When Slack will not say (a scope not granted
 * yet) the channel is left out and the core uses its neutral words.
 * Source: docs.slack.dev reference/methods/conversations.info.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TurnPlace } from '../../src/conversation/types.ts';
import { LookupCache } from './lookup-cache.ts';

const infoSchema = z.object({
  channel: z.object({ name: z.string().optional(), is_im: z.boolean().optional(), is_mpim: z.boolean().optional() }),
});

/** Channels are seldom renamed: an hour; a failure is retried after a minute; 5,000 channels at most. */
const CACHE = { ttlMs: 60 * 60 * 1000, failureTtlMs: 60 * 1000, maxEntries: 5000 } as const;

export class SlackPlaces {
  readonly #client: webApi.WebClient;
  readonly #botName: string;
  readonly #log: Logger;
  readonly #names: LookupCache<string>;

  /** `botName` is the bot's display name in the workspace (`{bot_name}`). */
  constructor(opts: { client: webApi.WebClient; botName: string; logger: Logger; now?: () => number }) {
    this.#client = opts.client;
    this.#botName = opts.botName;
    this.#log = opts.logger;
    this.#names = new LookupCache({ ...CACHE, now: opts.now });
  }

  async of(m: { readonly teamId: string; readonly channel: string; readonly channelType: string | undefined }): Promise<TurnPlace> {
    const place = { platform: 'Slack', botName: this.#botName };
    // A DM's id starts with D; `channel_type` comes on message events only, not on app_mention.
    if (m.channelType === 'im' || m.channel.startsWith('D')) return { ...place, channel: 'a direct message' };
    if (m.channelType === 'mpim') return { ...place, channel: 'a group direct message' };
    const channel = await this.#names.get(`${m.teamId}:${m.channel}`, () => this.#fetch(m.channel));
    return { ...place, channel };
  }

  async #fetch(channel: string): Promise<string | undefined> {
    try {
      const info = infoSchema.parse(await this.#client.conversations.info({ channel })).channel;
      if (info.is_im) return 'a direct message';
      if (info.is_mpim) return 'a group direct message';
      return info.name ? `#${info.name}` : undefined;
    } catch (err) {
      this.#log.warn({ err, channel }, 'conversations.info failed: is the channels:read (or groups:read) scope granted? the prompt names no channel');
      return undefined;
    }
  }
}
