/**
 * Slash commands: `/model`, `/reset` and `/persona`. Slack runs slash commands in channels
 * and DMs, never inside threads (platform-limits.md §2e), and wants each
 * acknowledged within 3 s: each acks with its answer, at most a quick store
 * write (and a cached users.info) away.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { channelModelBlocks } from './blocks.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { channelIdOf, isAllowed } from './incoming.ts';
import { toMrkdwn } from './mrkdwn.ts';
import { personaReply } from './persona-command.ts';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export class CommandHandler {
  readonly #o: HandlerDeps;

  constructor(deps: HandlerDeps) {
    this.#o = deps;
  }

  /**
   * `/model`: lists the models (with a picker for the channel's default, for those who may
   * set it) and the channel's persona if it has one, or sets the channel's default by name.
   */
  async model({ command, ack }: CommandArgs): Promise<void> {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    // The same users.info answers both: who may change it, and their language.
    const [texts, mayChange] = await Promise.all([
      this.#o.locales.textsOf(where.teamId, where.user),
      this.#o.moderation.mayChangeChannelSettings({ teamId: where.teamId, userId: where.user }, where.channel),
    ]);
    if (!isAllowed(this.#o.allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(texts.notAllowed) });
    const channelId = channelIdOf(where);
    const name = command.text.trim();
    if (name === '') {
      const [current, persona] = await Promise.all([this.#o.core.modelFor(channelId, channelId), this.#o.core.personaFor(channelId, channelId)]);
      const models = texts.modelList(this.#o.core.models, current);
      const list = toMrkdwn(persona === undefined ? models : `${models}\n${texts.modelListPersona(persona)}`);
      if (!mayChange) return ack({ response_type: 'ephemeral', text: `${list}\n${toMrkdwn(texts.channelModelNeedsAdmin)}` });
      return ack({ response_type: 'ephemeral', text: list, blocks: channelModelBlocks(list, channelId, this.#o.core.models, current, texts) });
    }
    if (!mayChange) return ack({ response_type: 'ephemeral', text: toMrkdwn(texts.channelModelNeedsAdmin) });
    const change = await this.#o.core.setModel({ channelId }, name, texts.locale);
    if (change.ok) this.#o.logger.info({ channelId, model: change.model }, 'channel model set');
    return ack({
      response_type: change.ok ? 'in_channel' : 'ephemeral',
      text: toMrkdwn(change.ok ? texts.modelSetForChannel(change.model) : change.userText),
    });
  }

  /** `/persona`: shows, sets or clears the channel's persona (persona-command.ts). */
  async persona({ command, ack }: CommandArgs): Promise<void> {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    const texts = await this.#o.locales.textsOf(where.teamId, where.user);
    if (!isAllowed(this.#o.allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(texts.notAllowed) });
    const channelId = channelIdOf(where);
    // Showing it needs no rights.
    const mayChange = command.text.trim() !== '' && (await this.#o.moderation.mayChangeChannelSettings({ teamId: where.teamId, userId: where.user }, where.channel));
    const reply = await personaReply(command.text, this.#o.core, { channelId, isDm: where.channel.startsWith('D'), mayChange }, texts);
    // Only a change is said in the channel.
    if (reply.response_type === 'in_channel') this.#o.logger.info({ channelId }, 'channel persona changed');
    return ack(reply);
  }

  /**
   * `/reset` cannot reach a conversation: they live in threads, where Slack runs no slash
   * commands. So it resets nothing and says how to start afresh (a new mention, or New
   * conversation under an answer in the thread).
   */
  async reset({ command, ack }: CommandArgs): Promise<void> {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    const texts = await this.#o.locales.textsOf(where.teamId, where.user);
    if (!isAllowed(this.#o.allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(texts.notAllowed) });
    return ack({ response_type: 'ephemeral', text: toMrkdwn(texts.resetSlackChannel) });
  }
}
