/**
 * Slash commands: `/model` and `/reset`. Slack runs slash commands in channels
 * and DMs, never inside threads (platform-limits.md §2e), and wants each
 * acknowledged within 3 s: each acks with its answer, at most a quick store
 * write (and a cached users.info) away.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ConversationCore } from '../../src/conversation/core.ts';
import { userText } from '../../src/user-text.ts';
import { channelModelBlocks } from './blocks.ts';
import { channelIdOf, isAllowed, type Allowed } from './incoming.ts';
import type { SlackModeration } from './moderation.ts';
import { toMrkdwn } from './mrkdwn.ts';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export class CommandHandler {
  readonly #core: ConversationCore;
  readonly #allowed: Allowed;
  readonly #moderation: SlackModeration;
  readonly #log: Logger;

  constructor(opts: { core: ConversationCore; allowed: Allowed; moderation: SlackModeration; logger: Logger }) {
    this.#core = opts.core;
    this.#allowed = opts.allowed;
    this.#moderation = opts.moderation;
    this.#log = opts.logger;
  }

  /**
   * `/model`: lists the models (with a picker for the channel's default, for those who may
   * set it), or sets the channel's default by name.
   */
  async model({ command, ack }: CommandArgs): Promise<void> {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    if (!isAllowed(this.#allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.notAllowed) });
    const channelId = channelIdOf(where);
    const name = command.text.trim();
    const mayChange = await this.#moderation.mayChangeChannelSettings({ teamId: where.teamId, userId: where.user }, where.channel);
    if (name === '') {
      const current = await this.#core.modelFor(channelId, channelId);
      const list = toMrkdwn(userText.modelList(this.#core.models, current));
      if (!mayChange) return ack({ response_type: 'ephemeral', text: `${list}\n${toMrkdwn(userText.channelModelNeedsAdmin)}` });
      return ack({ response_type: 'ephemeral', text: list, blocks: channelModelBlocks(list, channelId, this.#core.models, current) });
    }
    if (!mayChange) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.channelModelNeedsAdmin) });
    const change = await this.#core.setModel({ channelId }, name);
    if (change.ok) this.#log.info({ channelId, model: change.model }, 'channel model set');
    return ack({
      response_type: change.ok ? 'in_channel' : 'ephemeral',
      text: toMrkdwn(change.ok ? userText.modelSetForChannel(change.model) : change.userText),
    });
  }

  /**
   * `/reset` cannot reach a conversation: they live in threads, where Slack runs no slash
   * commands. So it resets nothing and says how to start afresh (a new mention, or New
   * conversation under an answer in the thread).
   */
  async reset({ command, ack }: CommandArgs): Promise<void> {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    if (!isAllowed(this.#allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.notAllowed) });
    return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.resetSlackChannel) });
  }
}
