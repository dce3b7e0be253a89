/**
 * The whole bot (startBot, real Bolt) wired to a fake Slack and a fake upstream,
 * plus helpers to read what a Slack user would see.
 */
import { pino, type Logger } from 'pino';
import { startBot, type RunningBot } from '../../../src/main.ts';
import { startFakeUpstream, type FakeUpstream } from '../upstream.ts';
import { slackSender, type SlackSender } from './sender.ts';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage } from './server.ts';
import { freePort } from '../../support/free-port.ts';

export const SIGNING_SECRET = 'fake-signing-secret';
export const CHANNEL = 'C0GENERAL';
export const USER = 'U0ALICE';
/** Another member, with no special rights. */
export const OTHER_USER = 'U0BOB';
/** A workspace admin (users.info `is_admin`). */
export const ADMIN_USER = 'U0ADMIN';

export interface SlackBotUnderTest {
  readonly slack: FakeSlack;
  readonly upstream: FakeUpstream;
  readonly bot: RunningBot;
  readonly sender: SlackSender;
  readonly eventsUrl: string;
  /** Resolves once every answer in progress has finished writing. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The settings of a bot on `slack` and `upstreamUrl`, taking events on `port` (HTTP mode, `chat.update` streaming). */
export function slackBotEnv(slack: FakeSlack, upstreamUrl: string, port: number): Record<string, string> {
  return {
    LLM_API_BASE: upstreamUrl,
    LLM_API_KEY: 'sk-test',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    // These tests read answers as chat.update leaves them; native streaming has its own (slack-native-stream.test.ts).
    SLACK_STREAMING: 'update',
    // Plain threads, as before Slack's surface for AI apps; slack-assistant/slack-agent tests turn it on.
    SLACK_AI_EXPERIENCE: 'off',
  };
}

/** Slack needs a port before the bot starts (PORT must be positive): take a free one from the OS. */

export async function startSlackBot(
  env: Record<string, string> = {},
  opts: { fake?: Parameters<typeof startFakeSlack>[0]; logger?: Logger } = {},
): Promise<SlackBotUnderTest> {
  const slack = await startFakeSlack(opts.fake);
  const upstream = await startFakeUpstream();
  const port = await freePort();
  let bot: RunningBot;
  try {
    bot = await startBot({
      env: { ...slackBotEnv(slack, upstream.url, port), STORE_URL: 'sqlite://:memory:', ...env },
      logger: opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  } catch (err) {
    await slack.close();
    await upstream.close();
    throw err;
  }
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  const sender = recordingSender(slackSender({ url: eventsUrl, signingSecret: SIGNING_SECRET, teamId: slack.teamId, botUserId: slack.botUserId }), slack);
  return {
    slack,
    upstream,
    bot,
    sender,
    eventsUrl,
    // drain only stops turns still running after the grace; within it, it just waits for them.
    settled: () => bot.core.drain(60_000),
    async close() {
      await bot.stop(0);
      await slack.close();
      await upstream.close();
    },
  };
}

/** Subtypes that are a message of its own in the channel's history (not an edit or a deletion). */
const POSTED_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'bot_message', 'me_message']);

/**
 * A sender whose message events also land in the fake's history, as a message people
 * post is in Slack's: conversations.replies then returns the thread's parent and replies.
 */
function recordingSender(sender: SlackSender, slack: FakeSlack): SlackSender {
  return {
    ...sender,
    event(event, opts) {
      const e = event as { type?: string; subtype?: string; channel?: string; ts?: string; thread_ts?: string; user?: string; bot_id?: string; text?: string; files?: Record<string, unknown>[] };
      if ((e.type === 'message' || e.type === 'app_mention') && POSTED_SUBTYPES.has(e.subtype) && e.channel && e.ts && !slack.threads.has(e.channel, e.ts)) {
        slack.threads.add({
          channel: e.channel,
          ts: e.ts,
          threadTs: e.thread_ts ?? e.ts,
          text: e.text ?? '',
          ...(e.user ? { user: e.user } : {}),
          ...(e.bot_id ? { botId: e.bot_id } : {}),
          ...(e.subtype ? { subtype: e.subtype } : {}),
          ...(e.files ? { files: e.files } : {}),
        });
      }
      return sender.event(event, opts);
    },
  };
}

let tsCounter = 0;
/**
 * A fresh Slack message timestamp for a user message: a second after the last, so the
 * bot's posts in between (the fake gives them the next microseconds) sort before it.
 */
export function userTs(): string {
  tsCounter += 1;
  return `${1800000000 + tsCounter}.000100`;
}

/** An `app_mention` event as Slack sends it. */
export function mentionEvent(text: string, opts: { ts?: string; threadTs?: string; channel?: string; files?: unknown[] } = {}) {
  const ts = opts.ts ?? userTs();
  return {
    type: 'app_mention',
    user: USER,
    text: `<@UBOT> ${text}`,
    ts,
    ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
    channel: opts.channel ?? CHANNEL,
    event_ts: ts,
    team: 'T0001',
    ...(opts.files ? { files: opts.files } : {}),
  };
}

/** A `message` event in a channel (`message.channels`) or a DM (`channel_type: 'im'`). */
export function messageEvent(text: string, opts: { ts?: string; threadTs?: string; channel?: string; channelType?: string; extra?: Record<string, unknown> } = {}) {
  const ts = opts.ts ?? userTs();
  return {
    type: 'message',
    user: USER,
    text,
    ts,
    ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
    channel: opts.channel ?? CHANNEL,
    channel_type: opts.channelType ?? 'channel',
    event_ts: ts,
    team: 'T0001',
    ...opts.extra,
  };
}

/**
 * The `message_changed` event Slack sends when the author of `original` edits it to
 * `text` (docs.slack.dev reference/events/message/message_changed: hidden, the new
 * message with `edited`, the previous one). With `unfurl`, what Slack sends when it
 * adds a link preview instead: the same text, an attachment, no `edited`.
 */
export function messageChangedEvent(
  original: { user: string; text: string; ts: string; thread_ts?: string; channel: string; channel_type?: string },
  text: string,
  opts: { unfurl?: boolean } = {},
) {
  const eventTs = userTs();
  const { channel, channel_type: channelType, ...before } = original;
  const previous = { type: 'message', ...before, team: 'T0001' };
  const message = opts.unfurl
    ? { ...previous, attachments: [{ from_url: 'https://example.com', title: 'Example', original_url: 'https://example.com' }] }
    : { ...previous, text, edited: { user: original.user, ts: eventTs } };
  return {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel,
    channel_type: channelType ?? (channel.startsWith('D') ? 'im' : 'channel'),
    ts: eventTs,
    event_ts: eventTs,
    message,
    previous_message: previous,
  };
}

/**
 * A `message_action` payload: `user` runs the message shortcut `callbackId` on `message`
 * (docs.slack.dev reference/interaction-payloads/shortcuts-interaction-payload).
 */
export function messageShortcut(
  slack: FakeSlack,
  message: { ts: string; thread_ts?: string; user: string; text: string; files?: unknown[] },
  opts: { callbackId?: string; channel?: string; user?: string } = {},
): Record<string, unknown> {
  const actionTs = userTs();
  const channel = opts.channel ?? CHANNEL;
  return {
    type: 'message_action',
    token: 'verification-token-unused',
    action_ts: actionTs,
    team: { id: slack.teamId, domain: 'fake' },
    user: { id: opts.user ?? USER, name: 'someone', username: 'someone', team_id: slack.teamId },
    channel: { id: channel, name: 'general' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: opts.callbackId ?? 'ask_about_message',
    trigger_id: '1.2.3',
    response_url: slack.responseUrl('shortcut'),
    message_ts: message.ts,
    message: { type: 'message', team: slack.teamId, ...message, files: message.files },
  };
}

const blockIds = (m: FakeSlackMessage) => (m.blocks ?? []).map((b) => (b as { block_id?: string }).block_id);

/** True once a message carries the finished answer's controls. */
export const isFinal = (m: FakeSlackMessage) => blockIds(m).includes('answer_final');
export const isLive = (m: FakeSlackMessage) => blockIds(m).includes('answer_live');

/** The bot's answer messages in a thread (model-change and reset notices excluded). */
export function answerMessages(slack: FakeSlack, threadTs: string, channel = CHANNEL): FakeSlackMessage[] {
  return slack.thread(channel, threadTs).filter((m) => m.blocks !== undefined);
}

/** Resolves once the `n`-th answer in the thread is final; returns its messages' texts joined. */
export async function finalAnswer(slack: FakeSlack, threadTs: string, opts: { channel?: string; nth?: number } = {}): Promise<string> {
  const channel = opts.channel ?? CHANNEL;
  const nth = opts.nth ?? 1;
  const finals = () => answerMessages(slack, threadTs, channel).filter(isFinal);
  await slack.waitForCall(() => finals().length >= nth);
  // The messages of the n-th answer: everything after the previous final message up to this one.
  const all = answerMessages(slack, threadTs, channel);
  const ends = all.map((m, i) => (isFinal(m) ? i : -1)).filter((i) => i >= 0);
  const start = nth === 1 ? 0 : (ends[nth - 2] ?? -1) + 1;
  const end = ends[nth - 1] ?? all.length - 1;
  return all
    .slice(start, end + 1)
    .map((m) => m.text)
    .join('\n');
}

/** A `block_actions` payload for pressing or picking `action` under a bot message, as Slack sends it. */
export function blockAction(
  slack: FakeSlack,
  message: FakeSlackMessage,
  action: { action_id: string; block_id: string; type: 'button' | 'static_select' | 'feedback_buttons'; value: string },
  opts: { ephemeral?: boolean; responseUrl?: string; user?: string } = {},
): Record<string, unknown> {
  const element =
    action.type !== 'static_select'
      ? { type: action.type, action_id: action.action_id, block_id: action.block_id, value: action.value, text: { type: 'plain_text', text: 'x' }, action_ts: '1800000001.000001' }
      : {
          type: 'static_select',
          action_id: action.action_id,
          block_id: action.block_id,
          selected_option: { text: { type: 'plain_text', text: 'x' }, value: action.value },
          action_ts: '1800000001.000001',
        };
  return {
    type: 'block_actions',
    user: { id: opts.user ?? USER, username: 'someone', name: 'someone', team_id: slack.teamId },
    api_app_id: 'AFAKE',
    token: 'verification-token-unused',
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: message.channel,
      is_ephemeral: opts.ephemeral ?? false,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    },
    trigger_id: '1.2.3',
    team: { id: slack.teamId, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: 'general' },
    message: { type: 'message', user: slack.botUserId, ts: message.ts, ...(message.threadTs ? { thread_ts: message.threadTs } : {}), text: message.text },
    state: { values: {} },
    response_url: opts.responseUrl ?? slack.responseUrl('action'),
    actions: [element],
  };
}

/** The option value of the thread picker's entry for `model` in a final answer message. */
export function pickerValue(message: FakeSlackMessage, model: string): string {
  for (const block of message.blocks ?? []) {
    const elements = (block as { elements?: { action_id?: string; options?: { value: string; text: { text: string } }[] }[] }).elements ?? [];
    for (const element of elements) {
      const option = element.options?.find((o) => o.text.text.startsWith(model));
      if (option) return option.value;
    }
  }
  throw new Error(`no picker option for ${model}`);
}

/** The value of the button `actionId` in a bot message's blocks. */
export function buttonValue(message: FakeSlackMessage, actionId: string): string {
  for (const block of message.blocks ?? []) {
    const elements = (block as { elements?: { action_id?: string; value?: string }[] }).elements ?? [];
    const button = elements.find((e) => e.action_id === actionId);
    if (button?.value !== undefined) return button.value;
  }
  throw new Error(`no ${actionId} button`);
}

/** The 👍 (`up`) or 👎 (`down`) button of a message's `feedback_buttons`, and the block it is in. */
export function feedbackButton(message: FakeSlackMessage, rating: 'up' | 'down'): { block_id: string; value: string } {
  for (const block of message.blocks ?? []) {
    const b = block as { type: string; block_id?: string; elements?: { type: string; positive_button?: { value: string }; negative_button?: { value: string } }[] };
    const feedback = b.type === 'context_actions' ? b.elements?.find((e) => e.type === 'feedback_buttons') : undefined;
    const button = rating === 'up' ? feedback?.positive_button : feedback?.negative_button;
    // Slack gives a block without a block_id one of its own.
    if (button) return { block_id: b.block_id ?? 'generated-block-id', value: button.value };
  }
  throw new Error('no feedback buttons');
}
