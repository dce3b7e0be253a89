/**
 * Slash commands: `/model` and `/reset`. Slack runs slash commands in channels
 * and DMs, never inside threads (platform-limits.md §2e), and wants each
 * acknowledged within 3 s: each acks with its answer, at most a quick store
 * write (and a cached users.info) away.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { userText } from '../../src/user-text.ts';
import { channelModelBlocks } from './blocks.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { channelIdOf, isAllowed } from './incoming.ts';
import { toMrkdwn } from './mrkdwn.ts';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export class CommandHandler {
  readonly #o: HandlerDeps;

  constructor(deps: HandlerDeps) {
    this.#o = deps;
  }

  /**
   * `/model`: lists the models (with a picker for the channel's default, for those who may
   * set it), or sets the channel's default by name.
   */
  async model({ command, ack }: CommandArgs): Promise<void> {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    if (!isAllowed(this.#o.allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.notAllowed) });
    const channelId = channelIdOf(where);
    const name = command.text.trim();
    const mayChange = await this.#o.moderation.mayChangeChannelSettings({ teamId: where.teamId, userId: where.user }, where.channel);
    if (name === '') {
      const current = await this.#o.core.modelFor(channelId, channelId);
      const list = toMrkdwn(userText.modelList(this.#o.core.models, current));
      if (!mayChange) return ack({ response_type: 'ephemeral', text: `${list}\n${toMrkdwn(userText.channelModelNeedsAdmin)}` });
      return ack({ response_type: 'ephemeral', text: list, blocks: channelModelBlocks(list, channelId, this.#o.core.models, current) });
    }
    if (!mayChange) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.channelModelNeedsAdmin) });
    const change = await this.#o.core.setModel({ channelId }, name);
    if (change.ok) this.#o.logger.info({ channelId, model: change.model }, 'channel model set');
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
    if (!isAllowed(this.#o.allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.notAllowed) });
    return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.resetSlackChannel) });
  }
}
