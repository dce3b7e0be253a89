/**
 * The controls under a finished answer that act on the answer itself: Regenerate
 * (the asker's and admins', moderation.ts) and Slack's `feedback_buttons` (anyone
 * who may use the bot votes once per answer; a second press changes the vote).
 * Each acks first (Slack's 3 s), then acts; what the presser is told goes to them
 * alone, in the thread.
 */
import type { webApi } from '@slack/bolt';
import type { AttachmentResolver } from '../../src/conversation/types.ts';
import { actionPlace, mayActOnAnswer, type ActionArgs, type ActionPlace } from './action-handler.ts';
import type { AnswerSurfaces } from './answer-surfaces.ts';
import { decodeRegenerate, decodeVote } from './blocks.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { channelIdOf, isAllowed, workspaceIdOf } from './incoming.ts';
import { toMrkdwn } from './mrkdwn.ts';
import type { SlackPlaces } from './turn-place.ts';

export interface AnswerControlsDeps extends HandlerDeps {
  readonly surfaces: AnswerSurfaces;
  readonly files: AttachmentResolver;
  readonly places: SlackPlaces;
}

export class AnswerControlsHandler {
  readonly #o: AnswerControlsDeps;

  constructor(deps: AnswerControlsDeps) {
    this.#o = deps;
  }

  /** Writes the answer again into its own messages; says privately why when it may not or cannot. */
  async regenerate({ ack, action, body, client }: ActionArgs): Promise<void> {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(this.#o.allowed, place) || action.type !== 'button' || !action.value) return;
    const target = decodeRegenerate(action.value);
    const channelId = channelIdOf(place);
    // Only the conversation of the channel the button sits in.
    if (!target || !target.conversationId.startsWith(`${channelId}:`)) return;
    if (!(await mayActOnAnswer(this.#o, place, target.askerId, 'regenerate', client))) return;
    const log = this.#o.logger.child({ conversation: target.conversationId, turn: target.turnId });
    // The new answer's notes and controls are in the language of whoever pressed.
    const texts = await this.#o.locales.textsOf(place.teamId, place.user);
    const surface = this.#o.surfaces.forThread(
      {
        teamId: place.teamId,
        channel: place.channel,
        threadTs: target.conversationId.slice(channelId.length + 1),
        conversationId: target.conversationId,
        channelId,
        turnId: target.turnId,
        askerId: target.askerId,
        locale: texts.locale,
      },
      log,
      // The question is history's: a regeneration's thread was named by its first one.
      { recipientUserId: target.askerId ?? place.user },
    );
    const result = await this.#o.core.regenerate(
      {
        conversationId: target.conversationId,
        channelId,
        turnId: target.turnId,
        place: await this.#o.places.of({ ...place, channelType: undefined }),
        workspaceId: workspaceIdOf(place),
        locale: texts.locale,
      },
      { surface, attachments: this.#o.files },
    );
    log.info({ result: result.type, by: place.user }, 'regenerate pressed');
    const refusal = texts.regenerateRefusal(result);
    if (refusal) await this.#tell(client, place, refusal);
  }

  async feedback({ ack, action, body, client }: ActionArgs): Promise<void> {
    await ack();
    const place = actionPlace(body);
    if (!place || !isAllowed(this.#o.allowed, place) || action.type !== 'feedback_buttons') return;
    const vote = decodeVote(action.value);
    if (!vote || !vote.conversationId.startsWith(`${channelIdOf(place)}:`)) return;
    const [result, texts] = await Promise.all([
      this.#o.core.rate({ conversationId: vote.conversationId, turnId: vote.turnId, userId: place.user, rating: vote.rating }),
      this.#o.locales.textsOf(place.teamId, place.user),
    ]);
    if (result.type === 'recorded') return this.#tell(client, place, texts.feedbackRecorded(vote.rating, result.change));
    await this.#tell(client, place, result.type === 'unknown' ? texts.feedbackUnknown : texts.feedbackUnavailable);
  }

  async #tell(client: webApi.WebClient, place: ActionPlace, markdown: string): Promise<void> {
    await client.chat.postEphemeral({
      channel: place.channel,
      user: place.user,
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      text: toMrkdwn(markdown),
    });
  }
}
