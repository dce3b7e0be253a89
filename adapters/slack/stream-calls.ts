/**
 * The three Web API calls of Slack's native streaming, with what their failures
 * mean for the surface: a refusal (the workspace does not stream natively, so
 * chat.update takes over) or a stream Slack already ended.
 */
import type { types, webApi } from '@slack/bolt';
import { PlatformError } from '../../src/errors/platform-error.ts';

/**
 * Errors of chat.startStream that say this workspace, app or kind of channel does
 * not stream natively (docs.slack.dev chat.startStream "Errors"; `unknown_method`
 * where the method does not exist, as on older Enterprise Grid or GovSlack hosts).
 * Nothing else is taken as a refusal: not a 429, a 5xx or an error code we do not
 * know, which may pass.
 */
const REFUSAL_CODES = new Set([
  'unknown_method',
  'not_allowed_token_type',
  'method_not_supported_for_channel_type',
  'feature_not_enabled',
  'not_allowed',
  'missing_scope',
]);

export interface StreamCallsOptions {
  readonly client: webApi.WebClient;
  readonly channel: string;
  readonly threadTs: string;
  readonly teamId: string;
  readonly recipientUserId: string;
}

export class StreamCalls {
  /** `markdown_text` per call (docs.slack.dev chat.appendStream; platform-limits.md §2b). */
  static readonly maxMarkdown = 12_000;
  readonly #opts: StreamCallsOptions;

  constructor(opts: StreamCallsOptions) {
    this.#opts = opts;
  }

  /** A failed chat.startStream that means: this workspace streams by chat.update from now on. */
  static refusal(error: PlatformError): boolean {
    return error.code !== undefined && REFUSAL_CODES.has(error.code);
  }

  /** Slack ended the stream (it does so about 5 minutes after the start): appends and stops are refused. */
  static isEnded(error: PlatformError): boolean {
    return error.code === 'message_not_in_streaming_state';
  }

  /** The error a stream known to be over stands for, without asking Slack again. */
  static ended(): PlatformError {
    return new PlatformError('gone', 'stream already ended', { code: 'message_not_in_streaming_state' });
  }

  /**
   * Opens a stream as a reply in the thread; returns its message ts. Slack wants the
   * recipient outside DMs, and bot tokens were seen to need it in DMs as well
   * (NousResearch/hermes-agent#59010), so it is always sent.
   */
  async start(markdown: string): Promise<string> {
    const { client, channel, threadTs, teamId, recipientUserId } = this.#opts;
    const result = await client.chat.startStream({
      channel,
      thread_ts: threadTs,
      recipient_team_id: teamId,
      recipient_user_id: recipientUserId,
      markdown_text: markdown,
    });
    if (!result.ts) throw new Error('chat.startStream returned no ts');
    return result.ts;
  }

  async append(ts: string, markdown: string): Promise<void> {
    await this.#opts.client.chat.appendStream({ channel: this.#opts.channel, ts, markdown_text: markdown });
  }

  /** Ends the stream; `blocks` go under the streamed text. */
  async stop(ts: string, markdown: string | undefined, blocks: types.KnownBlock[] | undefined): Promise<void> {
    await this.#opts.client.chat.stopStream({
      channel: this.#opts.channel,
      ts,
      ...(markdown !== undefined ? { markdown_text: markdown } : {}),
      ...(blocks ? { blocks } : {}),
    });
  }
}
