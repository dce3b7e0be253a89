/**
 * One answer streamed with Slack's native streaming (SLACK_STREAMING=native):
 * chat.startStream opens a message, chat.appendStream adds to it, chat.stopStream
 * ends it with the final controls. A native stream only grows, so this surface
 * says it is append-only and the renderer leaves out of live frames what a later
 * frame would take back; what is sent is always the part of a frame that is settled.
 *
 * Where the workspace refuses native streaming, the surface falls back to the
 * chat.update path (`SlackSurface`) for this turn and every later one there.
 * Where chat.startStream or chat.stopStream is short of budget (both Tier 2),
 * or a start fails for another reason, this answer alone overflows to that path
 * at once (`overflow`), instead of waiting up to a minute for a start.
 * Slack ends a stream on its own after about 5 minutes
 * (`message_not_in_streaming_state`): the rest then continues in a new message
 * of the thread, without losing or repeating text.
 */
import type { types } from '@slack/bolt';
import { PlatformError } from '../../src/errors/platform-error.ts';
import { openFenceAtEnd, reopenLine } from '../../src/render/fence.ts';
import type { MessagePlace, MessageRef, MessageState, Surface, SurfaceScopes } from '../../src/surface.ts';
import { userTextIn } from '../../src/user-text.ts';
import { answerBlocks, finalControls, type AnswerControls } from './blocks.ts';
import { markdownPieces, settledLength, toMarkdownText } from './markdown-text.ts';
import { toMrkdwn } from './mrkdwn.ts';
import { toPlatformError } from './platform-errors.ts';
import { streamScopes } from './scopes.ts';
import { SlackSurface, type SlackSurfaceOptions } from './surface.ts';
import type { NativeStreamSupport } from './native-stream-support.ts';
import { StreamCalls } from './stream-calls.ts';

export { NativeStreamSupport } from './native-stream-support.ts';

/**
 * Markdown characters per streamed message. `markdown_text` takes 12,000 per call, and
 * a message whose stream ended early is rewritten with a `markdown` block, which holds
 * 12,000 across the message (platform-limits.md §2b, §2c); 10,000 leaves room for
 * escaped mentions and a reopened code fence.
 */
export const SLACK_MAX_STREAM_MARKDOWN = 10_000;

export interface SlackStreamSurfaceOptions extends SlackSurfaceOptions {
  /**
   * The user the answer is for: Slack wants the recipient of a stream (outside DMs, and
   * in practice in DMs too). Without one (a surface reopened after a restart) nothing is
   * streamed: the surface writes by chat.update, its text still the core's Markdown.
   */
  readonly recipientUserId: string | undefined;
  readonly support: NativeStreamSupport;
}

/** One message of Slack's: a stream the answer's text went into (several when Slack ended one early). */
interface Segment {
  readonly ts: string;
  /** The Markdown this message shows, as sent before escaping (a reopened fence included). */
  text: string;
}

/** One message as the renderer knows it, and how it is written. */
type Written =
  | { readonly type: 'update' }
  | {
      readonly type: 'stream';
      readonly segments: Segment[];
      /** The renderer's text that reached Slack: always a prefix of its frames. */
      sent: string;
      streaming: boolean;
      /** Whether the last segment shows the final controls. */
      controls: boolean;
    };

export class SlackStreamSurface implements Surface {
  readonly address: string;
  readonly #opts: SlackStreamSurfaceOptions;
  readonly #fallback: SlackSurface;
  readonly #calls: StreamCalls;
  readonly #native: SurfaceScopes;
  #mode: 'native' | 'update';
  /** This answer left native streaming on its own (budget short, a failed start, a regeneration). */
  #overflowed = false;
  readonly #messages = new Map<string, Written>();
  /** The newest streamed message: only it carries the final controls. */
  #latest: Extract<Written, { type: 'stream' }> | undefined;
  #stopControl: Promise<string | undefined> | undefined;
  /** The user stopped the answer with Slack's own stop button (`stoppedInSlack`). */
  #stoppedInSlack = false;

  /** The asker's language: the controls' labels. */
  get #texts() {
    return userTextIn(this.#opts.thread.locale ?? 'en');
  }

  constructor(opts: SlackStreamSurfaceOptions) {
    this.#opts = opts;
    this.address = opts.thread.turnId;
    // An answer that overflowed after its Stop message was posted keeps that message as its Stop;
    // a regeneration overflows before there is one, so its chat.update messages carry Stop.
    this.#fallback = new SlackSurface({ ...opts, stopElsewhere: () => this.#overflowed && this.#stopControl !== undefined });
    const { teamId, channel, threadTs } = opts.thread;
    this.#calls = new StreamCalls({ client: opts.client, channel, threadTs, teamId, recipientUserId: opts.recipientUserId ?? '' });
    this.#mode = opts.recipientUserId === undefined || opts.support.refused(teamId) ? 'update' : 'native';
    this.#native = streamScopes(teamId);
  }

  get appendOnly(): boolean {
    return this.#mode === 'native';
  }

  get maxMessageLength(): number {
    return this.#mode === 'native' ? SLACK_MAX_STREAM_MARKDOWN : this.#fallback.maxMessageLength;
  }

  get scopes(): SurfaceScopes {
    return this.#mode === 'native' ? this.#native : this.#fallback.scopes;
  }

  /**
   * This answer goes by chat.postMessage + chat.update: the renderer found no
   * chat.startStream (or chat.stopStream) budget for it, it has nothing to stream, or
   * it is a regeneration, written into the earlier answer's messages by chat.update.
   * Later answers in the workspace try native streaming again.
   */
  overflow(): void {
    if (this.#mode !== 'native') return;
    this.#mode = 'update';
    this.#overflowed = true;
    this.#opts.logger.debug({ team: this.#opts.thread.teamId }, 'this answer streams by chat.update');
  }

  /** Markdown goes to Slack as it is; each path converts or escapes it when it writes. */
  format(markdown: string): string {
    return markdown;
  }

  /**
   * A stream shows no blocks until it stops, so Stop lives in a message of its own,
   * posted as the turn starts (it also tells the user the bot is at work while the
   * model thinks) and deleted once the answer is over.
   */
  async showTyping(signal: AbortSignal): Promise<void> {
    if (this.#mode !== 'native' || this.#stopControl || this.#opts.hideStop?.()) return;
    signal.throwIfAborted();
    const { channel, threadTs, turnId, askerId } = this.#opts.thread;
    this.#stopControl = this.#opts.client.chat
      .postMessage({ channel, thread_ts: threadTs, text: this.#texts.stopButton, blocks: answerBlocks('', { type: 'stop', turnId, askerId }, this.#texts) })
      .then((result) => result.ts)
      .catch((err: unknown) => {
        this.#opts.logger.debug({ err }, 'could not post the Stop control');
        return undefined;
      });
    await this.#stopControl;
  }

  /**
   * The user stopped the answer with an agent session's stop button, which stops its
   * stream in Slack too: the final text then replaces the stopped message (chat.update
   * works once a stream has stopped) instead of continuing in a new one, as it does after
   * Slack's five-minute end.
   */
  stoppedInSlack(): void {
    this.#stoppedInSlack = true;
  }

  async finished(signal: AbortSignal): Promise<void> {
    await this.#dropStopControl(signal);
  }

  async post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef> {
    signal.throwIfAborted();
    if (this.#mode === 'update') return this.#postUpdate(text, state, signal, place);
    // Never empty: a first frame of one character is sent whole.
    const settled = state === 'final' ? text.length : settledLength(text) || text.length;
    let ts: string;
    try {
      ts = await this.#calls.start(toMarkdownText(text.slice(0, settled), text[settled]));
    } catch (err) {
      const error = toPlatformError(err, 'chat.startStream');
      // A 429 goes to the scheduler: it pauses chat.startStream, and this answer overflows from there.
      if (error.kind === 'rate-limited') throw error;
      if (StreamCalls.refusal(error)) {
        // The first message decides for the whole workspace; a later one falls back alone.
        if (this.#messages.size === 0) {
          this.#opts.support.refuse(this.#opts.thread.teamId, error.code);
          this.#mode = 'update';
          await this.#dropStopControl(signal);
        }
        return this.#postUpdate(text, state, signal, place);
      }
      // The channel is gone or closed to the bot: chat.postMessage would fare no better.
      if (this.#messages.size > 0 || error.kind === 'forbidden' || error.kind === 'gone') throw error;
      // A 5xx or an error that says nothing about the workspace: this answer alone goes by chat.update, now.
      this.#opts.logger.warn({ err: error, code: error.code }, 'chat.startStream failed; this answer streams by chat.update');
      this.overflow();
      return this.#postUpdate(text, state, signal, place);
    }
    const previous = this.#latest;
    const written: Written = { type: 'stream', segments: [{ ts, text: text.slice(0, settled) }], sent: text.slice(0, settled), streaming: true, controls: false };
    this.#messages.set(ts, written);
    this.#latest = written;
    if (previous?.controls) await this.#rewrite(previous, { type: 'none' });
    if (state === 'final') await this.#finish(written, text, signal, place);
    return { id: ts };
  }

  async edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void> {
    signal.throwIfAborted();
    const written = this.#messages.get(message.id);
    // Messages this surface did not stream (a regeneration writes into an earlier answer's) are edited by chat.update.
    if (!written || written.type === 'update') return this.#editByUpdate(message, text, state, signal, place);
    if (!text.startsWith(written.sent)) {
      // A frame took back text Slack already shows: rare (a split moved). The final frame is written whole.
      this.#opts.logger.debug({ message: message.id }, 'frame does not extend the streamed text');
      if (state === 'final') await this.#finish(written, text, signal, place);
      return;
    }
    if (state === 'final') return this.#finish(written, text, signal, place);
    const settled = settledLength(text);
    if (settled > written.sent.length) await this.#append(written, text.slice(0, settled), text[settled]);
  }

  /** Deletes a part of an answer a regenerated one no longer needs; a stream still open is stopped by the delete. */
  async delete(message: MessageRef, signal: AbortSignal): Promise<void> {
    await this.#fallback.delete(message, signal);
  }

  async #editByUpdate(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place: MessagePlace | undefined): Promise<void> {
    try {
      await this.#fallback.edit(message, toMrkdwn(text), state, signal, place);
    } catch (err) {
      // A message whose stream is still open (an answer cut by a restart) takes chat.update only once it is stopped.
      if (!(err instanceof PlatformError && err.code === 'streaming_state_conflict')) throw err;
      await this.#calls.stop(message.id, undefined, undefined).catch((stopErr: unknown) => {
        throw toPlatformError(stopErr, 'chat.stopStream');
      });
      await this.#fallback.edit(message, toMrkdwn(text), state, signal, place);
    }
  }

  async #postUpdate(text: string, state: MessageState, signal: AbortSignal, place: MessagePlace | undefined): Promise<MessageRef> {
    const ref = await this.#fallback.post(toMrkdwn(text), state, signal, place);
    this.#messages.set(ref.id, { type: 'update' });
    return ref;
  }

  /** Sends `target` (a longer prefix of the frame) past what was sent; rolls over to a new message when Slack ended the stream. */
  async #append(written: Extract<Written, { type: 'stream' }>, target: string, following: string | undefined): Promise<void> {
    const rest = target.slice(written.sent.length);
    const pieces = markdownPieces(rest, StreamCalls.maxMarkdown);
    let offset = 0;
    for (const piece of pieces) {
      offset += piece.length;
      const markdown = toMarkdownText(piece, offset < rest.length ? rest[offset] : following);
      const segment = written.segments.at(-1) as Segment;
      try {
        if (!written.streaming) throw StreamCalls.ended();
        await this.#calls.append(segment.ts, markdown);
        segment.text += piece;
      } catch (err) {
        const error = toPlatformError(err, 'chat.appendStream');
        if (!StreamCalls.isEnded(error)) throw error;
        await this.#rollOver(written, piece, markdown);
      }
      written.sent += piece;
    }
  }

  /** Slack ended the stream (about 5 minutes after it started): the text continues in a new message. */
  async #rollOver(written: Extract<Written, { type: 'stream' }>, piece: string, markdown: string): Promise<void> {
    this.#opts.logger.info({ segments: written.segments.length }, 'slack ended the stream; the answer continues in a new message');
    // A code block open at the break is reopened, so the rest still reads as code.
    const fence = openFenceAtEnd(written.sent);
    const reopen = fence ? reopenLine(fence) : '';
    const ts = await this.#calls.start(toMarkdownText(reopen) + markdown).catch((err: unknown) => {
      throw toPlatformError(err, 'chat.startStream');
    });
    written.segments.push({ ts, text: reopen + piece });
    written.streaming = true;
  }

  /** Sends the rest of the final text and stops the stream with the controls under it. */
  async #finish(written: Extract<Written, { type: 'stream' }>, text: string, signal: AbortSignal, place: MessagePlace | undefined): Promise<void> {
    const controls = await this.#controls(written, place);
    if (!text.startsWith(written.sent) || this.#stoppedInSlack) {
      if (written.streaming) await this.#stop(written, '', { type: 'none' });
      written.sent = text;
      // One message is rewritten with the final text; after a roll-over the last one only gets its controls.
      const [only] = written.segments;
      if (only && written.segments.length === 1) only.text = text;
      await this.#rewrite(written, controls);
      return;
    }
    const rest = text.slice(written.sent.length);
    const last = markdownPieces(rest, StreamCalls.maxMarkdown).at(-1) ?? '';
    if (rest.length > last.length) await this.#append(written, text.slice(0, text.length - last.length), last[0]);
    signal.throwIfAborted();
    await this.#stop(written, last, controls);
  }

  async #stop(written: Extract<Written, { type: 'stream' }>, last: string, controls: AnswerControls): Promise<void> {
    const segment = written.segments.at(-1) as Segment;
    const blocks = controls.type === 'none' ? undefined : answerBlocks('', controls, this.#texts);
    try {
      if (!written.streaming) throw StreamCalls.ended();
      await this.#calls.stop(segment.ts, last === '' ? undefined : toMarkdownText(last), blocks);
      segment.text += last;
      written.sent += last;
      written.streaming = false;
    } catch (err) {
      const error = toPlatformError(err, 'chat.stopStream');
      if (!StreamCalls.isEnded(error)) throw error;
      written.streaming = false;
      if (last !== '') {
        await this.#rollOver(written, last, toMarkdownText(last));
        written.sent += last;
        return this.#stop(written, '', controls);
      }
      // Nothing left to say, but the controls still belong under the answer.
      if (blocks) await this.#rewrite(written, controls);
    }
    written.controls = blocks !== undefined;
  }

  /** Replaces the last message of `written` with its text and `controls` (chat.update works once a stream has stopped). */
  async #rewrite(written: Extract<Written, { type: 'stream' }>, controls: AnswerControls): Promise<void> {
    const segment = written.segments.at(-1) as Segment;
    const markdown = toMarkdownText(segment.text);
    const blocks: types.KnownBlock[] = [{ type: 'markdown', text: markdown }, ...answerBlocks('', controls, this.#texts)];
    try {
      await this.#opts.client.chat.update({ channel: this.#opts.thread.channel, ts: segment.ts, text: markdown, blocks });
      written.controls = controls.type !== 'none';
    } catch (err) {
      // Best effort, as for the update surface: a leftover picker still works, it only clutters.
      this.#opts.logger.debug({ err }, 'could not rewrite a streamed message');
    }
  }

  async #controls(written: Extract<Written, { type: 'stream' }>, place: MessagePlace | undefined): Promise<AnswerControls> {
    if (place ? !place.last : written !== this.#latest) return { type: 'none' };
    return finalControls(this.#opts.thread, this.#opts.models, this.#opts.logger);
  }

  async #dropStopControl(signal: AbortSignal): Promise<void> {
    const ts = await this.#stopControl;
    this.#stopControl = Promise.resolve(undefined);
    if (!ts || signal.aborted) return;
    try {
      await this.#opts.client.chat.delete({ channel: this.#opts.thread.channel, ts });
    } catch (err) {
      this.#opts.logger.debug({ err }, 'could not delete the Stop control');
    }
  }
}
