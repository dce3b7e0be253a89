/**
 * `/usage`: today's tokens of the person who asks, of the channel when it has a
 * limit, and for workspace admins (moderation.ts) the workspace's top users by
 * their Slack names. Always ephemeral. Slack wants the command acknowledged
 * within 3 s: the report usually comes with the ack; when the store or
 * `users.info` is slow it follows through the command's `response_url`.
 */
import type { Logger } from 'pino';
import type { UsageReports } from '../../src/adapter.ts';
import type { UserText } from '../../src/user-text.ts';
import type { CommandArgs } from './command-handler.ts';
import { channelIdOf, isAllowed, workspaceIdOf, type Allowed } from './incoming.ts';
import type { SlackLocales } from './locales.ts';
import type { SlackModeration } from './moderation.ts';
import { toMrkdwn } from './mrkdwn.ts';
import type { SlackUserDirectory } from './user-directory.ts';

/** How long the report may take and still go in the ack, well inside Slack's 3 s. */
const ACK_WITHIN_MS = 2000;

export interface UsageCommandOptions {
  readonly usage: UsageReports;
  readonly allowed: Allowed;
  readonly moderation: Pick<SlackModeration, 'isAdmin'>;
  readonly users: Pick<SlackUserDirectory, 'nameOf'>;
  readonly locales: Pick<SlackLocales, 'textsOf'>;
  readonly logger: Logger;
}

export class UsageCommand {
  readonly #o: UsageCommandOptions;

  constructor(options: UsageCommandOptions) {
    this.#o = options;
  }

  async handle({ command, ack, respond }: CommandArgs): Promise<void> {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    const texts = this.#o.locales.textsOf(where.teamId, where.user);
    if (!isAllowed(this.#o.allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn((await texts).notAllowed) });
    const report = this.#report(where, texts);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ACK_WITHIN_MS);
    });
    const first = await Promise.race([report, late]);
    clearTimeout(timer);
    if (first !== 'late') return ack({ response_type: 'ephemeral', text: first });
    await ack();
    await respond({ response_type: 'ephemeral', text: await report });
  }

  async #report(where: { teamId: string; channel: string; user: string }, textsOf: Promise<UserText>): Promise<string> {
    const texts = await textsOf;
    try {
      const admin = await this.#o.moderation.isAdmin({ teamId: where.teamId, userId: where.user });
      const text = await this.#o.usage.report(
        { userId: where.user, channelId: channelIdOf(where), workspaceId: workspaceIdOf(where) },
        { withTop: admin, locale: texts.locale, nameOf: (userId) => this.#o.users.nameOf(where.teamId, userId) },
      );
      return toMrkdwn(text);
    } catch (err) {
      this.#o.logger.error({ err, command: '/usage' }, 'command failed');
      return toMrkdwn(texts.internalError);
    }
  }
}
