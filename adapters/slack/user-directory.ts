/**
 * What the bot knows of a Slack user from `users.info` (scope `users:read`):
 * whether they administer the workspace, and their locale. Cached per user for
 * ten minutes, because every Stop, New conversation and channel-wide `/model`
 * from someone other than the asker asks (`users.info` is Tier 4, 100+ a minute).
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';

export interface SlackUser {
  /** Workspace admin or owner (`is_admin`, `is_owner`, `is_primary_owner`). */
  readonly isAdmin: boolean;
  /** The user's locale (`en-US`), when Slack gave it (`include_locale`). */
  readonly locale: string | undefined;
}

const userSchema = z.object({
  user: z.object({
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
  readonly #cache = new Map<string, { user: SlackUser | undefined; expiresAt: number }>();

  constructor(opts: { client: webApi.WebClient; logger: Logger; now?: () => number }) {
    this.#client = opts.client;
    this.#log = opts.logger;
    this.#now = opts.now ?? Date.now;
  }

  /** The user, or undefined when Slack would not say (a missing `users:read` scope, an outage). */
  async lookup(teamId: string, userId: string): Promise<SlackUser | undefined> {
    const key = `${teamId}:${userId}`;
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > this.#now()) return cached.user;
    let user: SlackUser | undefined;
    try {
      const parsed = userSchema.parse(await this.#client.users.info({ user: userId, include_locale: true }));
      const u = parsed.user;
      user = { isAdmin: u.is_admin === true || u.is_owner === true || u.is_primary_owner === true, locale: u.locale };
    } catch (err) {
      this.#log.warn({ err, user: userId }, 'users.info failed: is the users:read scope granted? treating the user as no admin');
    }
    this.#cache.delete(key);
    this.#cache.set(key, { user, expiresAt: this.#now() + (user ? TTL_MS : FAILURE_TTL_MS) });
    if (this.#cache.size > MAX_ENTRIES) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return user;
  }
}
