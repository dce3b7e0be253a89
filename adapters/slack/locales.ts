/**
 * Which language a Slack person is spoken to in (BOT_LOCALE=auto): their own
 * Slack language, from users.info with `include_locale` (`en-US`, `zh-TW`,
 * `zh-CN`: docs.slack.dev reference/methods/users.info), through the user
 * directory's cache, so it costs no call the bot would not make anyway for the
 * person's name or admin status. Unknown (no users:read, an outage): English.
 */
import { chooseLocale, type Locale, type LocaleSetting } from '../../src/i18n/locale.ts';
import { userTextIn, type UserText } from '../../src/user-text.ts';
import type { SlackUserDirectory } from './user-directory.ts';

export class SlackLocales {
  readonly #users: Pick<SlackUserDirectory, 'lookup'>;
  readonly #setting: LocaleSetting;

  constructor(opts: { users: Pick<SlackUserDirectory, 'lookup'>; setting: LocaleSetting }) {
    this.#users = opts.users;
    this.#setting = opts.setting;
  }

  /** The language of `userId` in `teamId`; BOT_LOCALE when it fixes one (then without a lookup). */
  async of(teamId: string, userId: string): Promise<Locale> {
    if (this.#setting !== 'auto') return this.#setting;
    return chooseLocale('auto', (await this.#users.lookup(teamId, userId))?.locale);
  }

  /** What `userId` reads, in their language. */
  async textsOf(teamId: string, userId: string): Promise<UserText> {
    return userTextIn(await this.of(teamId, userId));
  }
}
