/**
 * What the bot knows of a Slack user, from one `users.info` call (scope
 * `users:read`, with `include_locale`): the name people see, whether they
 * administer the workspace, and their locale. One cache for every reader, so
 * naming who said what, Stop, New conversation and a channel-wide `/model` or
 * `/persona` cost one call per user per ten minutes between them (`users.info`
 * is Tier 4, 100+ a minute), and callers asking at the same moment share the call.
 * Source: docs.slack.dev reference/methods/users.info, reference/objects/user-object.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { LookupCache } from './lookup-cache.ts';

export interface SlackUser {
  /** The name people see in Slack: the profile's display name, else the real name, else the handle. */
  readonly name: string | undefined;
  /** Workspace admin or owner (`is_admin`, `is_owner`, `is_primary_owner`). */
  readonly isAdmin: boolean;
  /** The user's locale (`en-US`), when Slack gave it (`include_locale`). */
  readonly locale: string | undefined;
}

const userSchema = z.object({
  user: z.object({
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
    is_admin: z.boolean().optional(),
    is_owner: z.boolean().optional(),
    is_primary_owner: z.boolean().optional(),
    locale: z.string().optional(),
  }),
});

/** Ten minutes; a failed lookup is retried after one (the scope may just have been added); 5,000 people at most. */
const CACHE = { ttlMs: 10 * 60 * 1000, failureTtlMs: 60 * 1000, maxEntries: 5000 } as const;

export class SlackUserDirectory {
  readonly #client: webApi.WebClient;
  readonly #log: Logger;
  readonly #cache: LookupCache<SlackUser>;

  constructor(opts: { client: webApi.WebClient; logger: Logger; now?: () => number }) {
    this.#client = opts.client;
    this.#log = opts.logger;
    this.#cache = new LookupCache({ ...CACHE, now: opts.now });
  }

  /** The user, or undefined when Slack would not say (a missing `users:read` scope, a deleted user, an outage). */
  lookup(teamId: string, userId: string): Promise<SlackUser | undefined> {
    return this.#cache.get(`${teamId}:${userId}`, () => this.#fetch(userId));
  }

  /** The user's display name; the id itself if Slack would not say. */
  async nameOf(teamId: string, userId: string): Promise<string> {
    return (await this.lookup(teamId, userId))?.name ?? userId;
  }

  async #fetch(userId: string): Promise<SlackUser | undefined> {
    try {
      const u = userSchema.parse(await this.#client.users.info({ user: userId, include_locale: true })).user;
      const name = [u.profile?.display_name, u.profile?.real_name, u.real_name, u.name].find((n) => n !== undefined && n.trim() !== '');
      return { name, isAdmin: u.is_admin === true || u.is_owner === true || u.is_primary_owner === true, locale: u.locale };
    } catch (err) {
      this.#log.warn({ err, user: userId }, 'users.info failed: is the users:read scope granted? the user is named by id and counts as no admin');
      return undefined;
    }
  }
}
