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

const TTL_MS = 10 * 60 * 1000;
/** A failed lookup is retried sooner: the scope may just have been added. */
const FAILURE_TTL_MS = 60 * 1000;
/** Bounded: the oldest entries go first. */
const MAX_ENTRIES = 5000;

export class SlackUserDirectory {
  readonly #client: webApi.WebClient;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #cache = new Map<string, { user: Promise<SlackUser | undefined>; expiresAt: number }>();

  constructor(opts: { client: webApi.WebClient; logger: Logger; now?: () => number }) {
    this.#client = opts.client;
    this.#log = opts.logger;
    this.#now = opts.now ?? Date.now;
  }

  /** The user, or undefined when Slack would not say (a missing `users:read` scope, a deleted user, an outage). */
  async lookup(teamId: string, userId: string): Promise<SlackUser | undefined> {
    const key = `${teamId}:${userId}`;
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > this.#now()) return cached.user;
    const entry = { user: this.#fetch(userId), expiresAt: this.#now() + TTL_MS };
    this.#cache.delete(key);
    this.#cache.set(key, entry);
    if (this.#cache.size > MAX_ENTRIES) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    const user = await entry.user;
    if (!user) entry.expiresAt = this.#now() + FAILURE_TTL_MS;
    return user;
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
