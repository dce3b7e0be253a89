/**
 * Slash commands and buttons: `/model` and `/reset` for a channel, and the
 * controls under answers (Stop, the thread's model picker, New conversation).
 * Slack wants every one acknowledged within 3 s (platform-limits.md §2e), so each
 * acks first, or acks with its answer when that is a quick store write.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ConversationCore } from '../../src/conversation/core.ts';
import { userText } from '../../src/user-text.ts';
import { ACTION, channelModelBlocks, decodePick } from './blocks.ts';
import { channelIdOf, isAllowed, type Allowed } from './incoming.ts';
import { toMrkdwn } from './mrkdwn.ts';

export interface InteractionDeps {
  readonly app: App;
  readonly core: ConversationCore;
  readonly allowed: Allowed;
  readonly logger: Logger;
}

/** Where a block action happened: its channel and the thread of the message it came from. */
function actionPlace(body: unknown): { teamId: string; channel: string; user: string; threadTs: string | undefined } | undefined {
  const b = body as {
    team?: { id?: string } | null;
    user?: { id?: string; team_id?: string };
    channel?: { id?: string };
    container?: { channel_id?: string; thread_ts?: string; message_ts?: string };
    message?: { ts?: string; thread_ts?: string };
  };
  const teamId = b.team?.id ?? b.user?.team_id;
  const channel = b.channel?.id ?? b.container?.channel_id;
  const user = b.user?.id;
  if (!teamId || !channel || !user) return undefined;
  return { teamId, channel, user, threadTs: b.message?.thread_ts ?? b.container?.thread_ts ?? b.message?.ts };
}

export function registerInteractions(deps: InteractionDeps): void {
  const { app, core, allowed, logger } = deps;

  app.command('/model', async ({ command, ack }) => {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    if (!isAllowed(allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.notAllowed) });
    const channelId = channelIdOf(where);
    const name = command.text.trim();
    if (name === '') {
      const current = await core.modelFor(channelId, channelId);
      const list = toMrkdwn(userText.modelList(core.models, current));
      return ack({ response_type: 'ephemeral', text: list, blocks: channelModelBlocks(list, channelId, core.models, current) });
    }
    const change = await core.setModel({ channelId }, name);
    if (change.ok) logger.info({ channelId, model: change.model }, 'channel model set');
    return ack({
      response_type: change.ok ? 'in_channel' : 'ephemeral',
      text: toMrkdwn(change.ok ? userText.modelSetForChannel(change.model) : change.userText),
    });
  });

  app.command('/reset', async ({ command, ack }) => {
    const where = { teamId: command.team_id, channel: command.channel_id, user: command.user_id };
    if (!isAllowed(allowed, where)) return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.notAllowed) });
    // Slash commands never run inside threads, so this can only reach the channel's own conversation.
    await core.reset(channelIdOf(where));
    return ack({ response_type: 'ephemeral', text: toMrkdwn(userText.resetSuggestNewThread) });
  });

  app.action(ACTION.stop, async ({ ack, action, body }) => {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(allowed, place)) return;
    if (action.type === 'button' && action.value) {
      const stopped = core.stop(action.value);
      logger.info({ turn: action.value, stopped }, 'stop pressed');
    }
  });

  app.action(ACTION.modelPick, async ({ ack, action, body, client }) => {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(allowed, place) || action.type !== 'static_select') return;
    const pick = decodePick(action.selected_option.value);
    // Only the conversation of the channel the picker sits in.
    if (!pick || !pick.conversationId.startsWith(`${channelIdOf(place)}:`)) return;
    const change = await core.setModel({ conversationId: pick.conversationId }, pick.model);
    logger.info({ conversation: pick.conversationId, ok: change.ok }, 'thread model picked');
    await client.chat.postMessage({
      channel: place.channel,
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      text: toMrkdwn(change.ok ? userText.modelSetForConversation(change.model) : change.userText),
    });
  });

  app.action(ACTION.newConversation, async ({ ack, action, body, client }) => {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(allowed, place) || action.type !== 'button' || !action.value) return;
    if (!action.value.startsWith(`${channelIdOf(place)}:`)) return;
    // The thread stays the bot's: follow-ups there start the new conversation without a mention.
    await core.reset(action.value);
    logger.info({ conversation: action.value }, 'conversation reset');
    await client.chat.postMessage({
      channel: place.channel,
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      text: toMrkdwn(userText.resetDone),
    });
  });

  app.action(ACTION.channelModelPick, async ({ ack, action, body, respond }) => {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(allowed, place) || action.type !== 'static_select') return;
    if (action.block_id !== channelIdOf(place)) return;
    // The block id is the channel the picker was shown in (set by channelModelBlocks).
    const change = await core.setModel({ channelId: action.block_id }, action.selected_option.value);
    if (change.ok) logger.info({ channelId: action.block_id, model: change.model }, 'channel model set');
    await respond({
      replace_original: true,
      text: toMrkdwn(change.ok ? userText.modelSetForChannel(change.model) : change.userText),
    });
  });
}
