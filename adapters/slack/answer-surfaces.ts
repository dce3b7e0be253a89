/**
 * Builds the surface an answer streams into: a `SlackSurface` (chat.update) or,
 * with SLACK_STREAMING=native, a `SlackStreamSurface` (chat.startStream /
 * appendStream / stopStream), which falls back per workspace that refuses it.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { Surface } from '../../src/surface.ts';
import type { AiTurns } from './ai-turn-surface.ts';
import { NativeStreamSupport, SlackStreamSurface } from './stream-surface.ts';
import { SlackSurface, type SlackThread } from './surface.ts';

export class AnswerSurfaces {
  readonly #client: webApi.WebClient;
  readonly #core: ConversationCore;
  readonly #streams: NativeStreamSupport | undefined;
  readonly #ai: AiTurns | undefined;

  constructor(opts: { client: webApi.WebClient; core: ConversationCore; streaming: 'native' | 'update'; logger: Logger; ai?: AiTurns }) {
    this.#client = opts.client;
    this.#core = opts.core;
    this.#streams = opts.streaming === 'native' ? new NativeStreamSupport(opts.logger) : undefined;
    this.#ai = opts.ai;
  }

  /**
   * The surface of one answer. A `turn` (a new answer, a regenerated or edited one) also tells
   * Slack's AI surface what it does (ai-turn-surface.ts); its recipient (the asking user) is what
   * native streaming needs, its question names a new agent session or assistant thread (unknown
   * to a regeneration, whose thread has its title already). Without one: a surface reopened
   * after a restart, to mark an answer a crash cut off. `thread.locale` labels its controls.
   */
  forThread(thread: SlackThread, log: Logger, turn?: { readonly recipientUserId: string; readonly question?: string | undefined }): Surface {
    const ai = this.#ai;
    const opts = {
      client: this.#client,
      thread,
      models: async () => ({ models: this.#core.models, current: await this.#core.modelFor(thread.conversationId, thread.channelId) }),
      logger: log,
      ...(ai ? { hideStop: () => ai.surface.hidesStop() } : {}),
    };
    // Native mode records Markdown for a restart to finish with, so a reopened surface is a stream surface too.
    const surface = this.#streams ? new SlackStreamSurface({ ...opts, recipientUserId: turn?.recipientUserId, support: this.#streams }) : new SlackSurface(opts);
    return ai && turn ? ai.wrap(surface, thread, turn.question, log) : surface;
  }
}
