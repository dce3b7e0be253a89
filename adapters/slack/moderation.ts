/**
 * Who may do what to answers and settings on Slack, in one place so every
 * control asks the same question (Stop, New conversation, `/model` and
 * `/persona` today; regenerate later):
 * - an answer, and the thread conversation it belongs to, are the asker's: they
 *   may stop it or start the thread afresh, and so may the workspace's admins
 *   and owners (`users.info`) and the people named in SLACK_ADMIN_USERS;
 * - a channel-wide setting (its default model, its persona) is for those admins only,
 *   except in a DM with the bot, which belongs to the person in it.
 */
import type { SlackUserDirectory } from './user-directory.ts';

/** The person pressing or commanding. */
export interface SlackActor {
  readonly teamId: string;
  readonly userId: string;
}

export class SlackModeration {
  readonly #users: SlackUserDirectory;
  readonly #adminUsers: ReadonlySet<string>;

  constructor(opts: { users: SlackUserDirectory; adminUsers: readonly string[] }) {
    this.#users = opts.users;
    this.#adminUsers = new Set(opts.adminUsers);
  }

  /** A workspace admin or owner, or someone SLACK_ADMIN_USERS names. */
  async isAdmin(actor: SlackActor): Promise<boolean> {
    if (this.#adminUsers.has(actor.userId)) return true;
    return (await this.#users.lookup(actor.teamId, actor.userId))?.isAdmin === true;
  }

  /**
   * Whether `actor` may stop, reset (or later regenerate) an answer `askerId` asked for.
   * An unknown asker (a button from an older version, an answer reopened after a crash) leaves it to admins.
   */
  async mayActOnAnswer(actor: SlackActor, askerId: string | undefined): Promise<boolean> {
    if (askerId !== undefined && actor.userId === askerId) return true;
    return this.isAdmin(actor);
  }

  /** Whether `actor` may change a setting for the whole of `channel` (its default model, its persona). */
  async mayChangeChannelSettings(actor: SlackActor, channel: string): Promise<boolean> {
    // A DM with the bot (its id starts with D) is the person's own.
    if (channel.startsWith('D')) return true;
    return this.isAdmin(actor);
  }
}
