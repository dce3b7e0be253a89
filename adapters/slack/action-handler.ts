/**
 * Buttons and menus: the controls under answers (Stop, the thread's model
 * picker, New conversation) and the channel picker of `/model`. Each acks
 * first (Slack's 3 s, platform-limits.md §2e), then acts. Who may press what
 * is moderation.ts's to say; anyone else gets a private notice and nothing happens.
 */
import type { AllMiddlewareArgs, SlackActionMiddlewareArgs, webApi } from '@slack/bolt';
import { decodeControlValue, decodePick } from './blocks.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { channelIdOf, isAllowed } from './incoming.ts';
import { toMrkdwn } from './mrkdwn.ts';

export type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** Where a block action happened: its channel and the thread of the message it came from. */
export function actionPlace(body: unknown): { teamId: string; channel: string; user: string; threadTs: string | undefined } | undefined {
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

export type ActionPlace = NonNullable<ReturnType<typeof actionPlace>>;

/** Whether the presser may act on this answer (moderation.ts); if not, tells them privately, in the thread. */
export async function mayActOnAnswer(
  deps: HandlerDeps,
  place: ActionPlace,
  askerId: string | undefined,
  action: 'stop' | 'reset' | 'regenerate',
  client: webApi.WebClient,
): Promise<boolean> {
  if (await deps.moderation.mayActOnAnswer({ teamId: place.teamId, userId: place.user }, askerId)) return true;
  deps.logger.info({ user: place.user, action }, 'control refused: not the asker or an admin');
  const texts = await deps.locales.textsOf(place.teamId, place.user);
  await client.chat.postEphemeral({
    channel: place.channel,
    user: place.user,
    ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
    text: toMrkdwn(texts.onlyAskerMay(action, texts.answerModerators.slack)),
  });
  return false;
}

export class ActionHandler {
  readonly #o: HandlerDeps;

  constructor(deps: HandlerDeps) {
    this.#o = deps;
  }

  async stop({ ack, action, body, client }: ActionArgs): Promise<void> {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(this.#o.allowed, place) || action.type !== 'button' || !action.value) return;
    const { id: turnId, askerId } = decodeControlValue(action.value);
    if (!(await mayActOnAnswer(this.#o, place, askerId, 'stop', client))) return;
    const stopped = this.#o.core.stop(turnId);
    this.#o.logger.info({ turn: turnId, stopped }, 'stop pressed');
  }

  async modelPick({ ack, action, body, client }: ActionArgs): Promise<void> {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(this.#o.allowed, place) || action.type !== 'static_select') return;
    const pick = decodePick(action.selected_option.value);
    // Only the conversation of the channel the picker sits in.
    if (!pick || !pick.conversationId.startsWith(`${channelIdOf(place)}:`)) return;
    const texts = await this.#o.locales.textsOf(place.teamId, place.user);
    const change = await this.#o.core.setModel({ conversationId: pick.conversationId }, pick.model, texts.locale);
    this.#o.logger.info({ conversation: pick.conversationId, ok: change.ok }, 'thread model picked');
    await client.chat.postMessage({
      channel: place.channel,
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      text: toMrkdwn(change.ok ? texts.modelSetForConversation(change.model) : change.userText),
    });
  }

  async newConversation({ ack, action, body, client }: ActionArgs): Promise<void> {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(this.#o.allowed, place) || action.type !== 'button' || !action.value) return;
    const { id: conversationId, askerId } = decodeControlValue(action.value);
    if (!conversationId.startsWith(`${channelIdOf(place)}:`)) return;
    if (!(await mayActOnAnswer(this.#o, place, askerId, 'reset', client))) return;
    // The thread stays the bot's: follow-ups there start the new conversation without a mention.
    await this.#o.core.reset(conversationId);
    this.#o.logger.info({ conversation: conversationId }, 'conversation reset');
    // Said in the thread for all to read: in the language of whoever the conversation is (looked up already for their name).
    const texts = await this.#o.locales.textsOf(place.teamId, askerId ?? place.user);
    await client.chat.postMessage({
      channel: place.channel,
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      text: toMrkdwn(texts.resetDone),
    });
  }

  async channelModelPick({ ack, action, body, respond }: ActionArgs): Promise<void> {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(this.#o.allowed, place) || action.type !== 'static_select') return;
    if (action.block_id !== channelIdOf(place)) return;
    const texts = await this.#o.locales.textsOf(place.teamId, place.user);
    if (!(await this.#o.moderation.mayChangeChannelSettings({ teamId: place.teamId, userId: place.user }, place.channel))) {
      await respond({ replace_original: false, response_type: 'ephemeral', text: toMrkdwn(texts.channelModelNeedsAdmin) });
      return;
    }
    // The block id is the channel the picker was shown in (set by channelModelBlocks).
    const change = await this.#o.core.setModel({ channelId: action.block_id }, action.selected_option.value, texts.locale);
    if (change.ok) this.#o.logger.info({ channelId: action.block_id, model: change.model }, 'channel model set');
    await respond({
      replace_original: true,
      text: toMrkdwn(change.ok ? texts.modelSetForChannel(change.model) : change.userText),
    });
  }

}
