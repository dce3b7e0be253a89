/**
 * Slack users' display names, for naming who said what: `users.info` once per
 * user, then from memory (one instance per adapter, bounded). The name people
 * see in Slack: the profile's display name, else the real name, else the handle.
 * Source: docs.slack.dev reference/methods/users.info, reference/objects/user-object.
 */
import type { webApi } from '@slack/bolt';
import { z } from 'zod';

const userSchema = z.object({
  name: z.string().optional(),
  real_name: z.string().optional(),
  profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
});

/** Users remembered at most; the oldest looked up is forgotten first. */
const MAX_CACHED = 5000;

export class SlackUserNames {
  readonly #client: webApi.WebClient;
  readonly #names = new Map<string, string>();

  constructor(client: webApi.WebClient) {
    this.#client = client;
  }

  /** The user's display name; the id itself if Slack would not say (a deleted user, a missing `users:read` scope). */
  async nameOf(userId: string): Promise<string> {
    const known = this.#names.get(userId);
    if (known !== undefined) return known;
    let name = userId;
    try {
      const parsed = userSchema.safeParse((await this.#client.users.info({ user: userId })).user);
      if (parsed.success) {
        const u = parsed.data;
        name = [u.profile?.display_name, u.profile?.real_name, u.real_name, u.name].find((n) => n !== undefined && n.trim() !== '') ?? userId;
      }
    } catch {
      // Not remembered: the next turn asks again.
      return name;
    }
    if (this.#names.size >= MAX_CACHED) this.#names.delete(this.#names.keys().next().value ?? '');
    this.#names.set(userId, name);
    return name;
  }
}
