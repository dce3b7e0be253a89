/**
 * One answer's place in Slack: a thread of one channel. The core's renderer
 * posts with chat.postMessage and grows the message with chat.update.
 */
import type { Logger } from 'pino';
import type { webApi } from '@slack/bolt';
import type { Locale } from '../../src/i18n/locale.ts';
import type { MessagePlace, MessageRef, MessageState, Surface, SurfaceScopes } from '../../src/surface.ts';
import { userTextIn } from '../../src/user-text.ts';
import { answerBlocks, finalControls, type AnswerControls } from './blocks.ts';
import { toMrkdwn } from './mrkdwn.ts';
import { toPlatformError } from './platform-errors.ts';
import { updateScopes } from './scopes.ts';

/**
 * Markdown characters per message, before conversion. Slack recommends at most
 * 4,000 characters of `text` (chat.postMessage "Truncating content"); mrkdwn runs
 * a little longer than the Markdown it came from (`&lt;` for `<`, zero-width
 * spaces around bold), so 3,800 leaves that headroom. The blocks stay well
 * under the ~12,000 characters Slack allows across a message's blocks.
 */
export const SLACK_MAX_MARKDOWN = 3800;

/** Where an answer goes, in Slack's ids and in the core's opaque ones. */
export interface SlackThread {
  readonly teamId: string;
  readonly channel: string;
  readonly threadTs: string;
  readonly conversationId: string;
  readonly channelId: string;
  readonly turnId: string;
  /** Who asked (unknown for a surface reopened after a restart): the answer's buttons carry it. */
  readonly askerId?: string | undefined;
  /** The asker's language: the controls' labels and Slack's status lines for the answer (English when unknown). */
  readonly locale?: Locale | undefined;
}

export interface SlackSurfaceOptions {
  readonly client: webApi.WebClient;
  readonly thread: SlackThread;
  /** The models on offer and the one the conversation's next turn would use, for the final picker. */
  readonly models: () => Promise<{ models: readonly string[]; current: string }>;
  readonly logger: Logger;
  /** True while Slack shows its own stop button for the answer (an agent session): ours is left out then. */
  readonly hideStop?: () => boolean;
  /** Stop lives in a message of its own (native streaming's Stop control): a live answer then shows none. */
  readonly stopElsewhere?: () => boolean;
}

/** The surface's address: its turn id, `slack:<team>:<channel>:<thread ts>:<message ts>`. */
export function parseAddress(address: string): SlackThread | undefined {
  const match = /^slack:([A-Z0-9]+):([A-Z0-9]+):(\d+\.\d+):(\d+\.\d+)$/.exec(address);
  if (!match) return undefined;
  const [, teamId = '', channel = '', threadTs = ''] = match;
  const channelId = `slack:${teamId}:${channel}`;
  return { teamId, channel, threadTs, channelId, conversationId: `${channelId}:${threadTs}`, turnId: address };
}

export class SlackSurface implements Surface {
  readonly maxMessageLength = SLACK_MAX_MARKDOWN;
  /** Rebuilds this surface after a restart (`RunningAdapter.reopen`). */
  readonly address: string;
  readonly scopes: SurfaceScopes;
  readonly #opts: SlackSurfaceOptions;
  /** The newest message of this answer: only it carries controls. */
  #latestTs: string | undefined;
  /** The newest message's last text, if it was written as final with the picker under it. */
  #latestFinalText: string | undefined;

  constructor(opts: SlackSurfaceOptions) {
    this.#opts = opts;
    this.address = opts.thread.turnId;
    this.scopes = updateScopes(opts.thread.teamId, opts.thread.channel);
  }

  format(markdown: string): string {
    return toMrkdwn(markdown);
  }

  get #texts() {
    return userTextIn(this.#opts.thread.locale ?? 'en');
  }

  async post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef> {
    signal.throwIfAborted();
    const { channel, threadTs } = this.#opts.thread;
    const controls = await this.#controls(state, place ? state === 'live' || place.last : true);
    let ts: string;
    try {
      const result = await this.#opts.client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text,
        blocks: answerBlocks(text, controls, this.#texts),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!result.ts) throw new Error('chat.postMessage returned no ts');
      ts = result.ts;
    } catch (err) {
      throw this.#failed(err, 'chat.postMessage');
    }
    const previous = { ts: this.#latestTs, finalText: this.#latestFinalText };
    this.#latestTs = ts;
    this.#latestFinalText = controls.type === 'final' ? text : undefined;
    if (previous.ts && previous.finalText !== undefined) await this.#dropControls(previous.ts, previous.finalText);
    return { id: ts };
  }

  async edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void> {
    signal.throwIfAborted();
    // The renderer says which message is the answer's last (a regeneration edits messages this surface never posted).
    const controls = await this.#controls(state, place ? state === 'live' || place.last : message.id === this.#latestTs);
    try {
      await this.#opts.client.chat.update({ channel: this.#opts.thread.channel, ts: message.id, text, blocks: answerBlocks(text, controls, this.#texts) });
      if (message.id === this.#latestTs) this.#latestFinalText = controls.type === 'final' ? text : undefined;
    } catch (err) {
      throw this.#failed(err, 'chat.update');
    }
  }

  /** Deletes a part of an answer a regenerated one no longer needs (chat.delete: the bot's own messages). */
  async delete(message: MessageRef, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    try {
      await this.#opts.client.chat.delete({ channel: this.#opts.thread.channel, ts: message.id });
    } catch (err) {
      throw this.#failed(err, 'chat.delete');
    }
  }

  /**
   * The renderer marks a message final both when the answer ends and when it is
   * sealed because the answer continues in a new message; only the new message
   * tells the two apart. So a sealed message loses the picker it was given, once.
   * Best effort: a leftover picker still works, it only clutters.
   */
  async #dropControls(ts: string, text: string): Promise<void> {
    try {
      await this.#opts.client.chat.update({ channel: this.#opts.thread.channel, ts, text, blocks: answerBlocks(text, { type: 'none' }, this.#texts) });
    } catch (err) {
      this.#opts.logger.debug({ err }, 'could not take the controls off a sealed message');
    }
  }

  async #controls(state: MessageState, latest: boolean): Promise<AnswerControls> {
    if (!latest) return { type: 'none' };
    if (state === 'live') {
      if (this.#opts.hideStop?.() || this.#opts.stopElsewhere?.()) return { type: 'none' };
      return { type: 'stop', turnId: this.#opts.thread.turnId, askerId: this.#opts.thread.askerId };
    }
    return finalControls(this.#opts.thread, this.#opts.models, this.#opts.logger);
  }

  #failed(err: unknown, method: string) {
    const error = toPlatformError(err, method);
    if (error.kind === 'forbidden') {
      this.#opts.logger.error(
        { code: error.code, channel: this.#opts.thread.channel, method },
        'slack refused the write: invite the bot to the channel, or add the missing scope and reinstall the app',
      );
    }
    return error;
  }
}
