/**
 * The events of Slack's surface for AI apps, as Slack sends them (docs.slack.dev
 * events/assistant_thread_started, events/app_home_opened; @slack/types
 * `AssistantThreadStartedEvent`, `AppHomeOpenedEvent`). `agent_session_stopped` comes
 * from the fake itself (`FakeSlack.pressSessionStop`), which also stops the streams.
 */
import { USER } from './harness.ts';

/** Alice's DM with the bot: where assistant threads and the Messages tab live. */
export const DM = 'D0ALICE';

/** A user opened a thread in the assistant container, viewing `contextChannel`. */
export function assistantThreadStarted(threadTs: string, opts: { channel?: string; user?: string; contextChannel?: string } = {}) {
  return {
    type: 'assistant_thread_started',
    assistant_thread: {
      user_id: opts.user ?? USER,
      context: { channel_id: opts.contextChannel ?? 'C0GENERAL', team_id: 'T0001', enterprise_id: null },
      channel_id: opts.channel ?? DM,
      thread_ts: threadTs,
    },
    event_ts: threadTs,
  };
}

/** A user opened the app's Home (`tab: "home"`) or its Messages tab (`"messages"`). */
export function appHomeOpened(tab: 'home' | 'messages', opts: { user?: string; channel?: string } = {}) {
  return { type: 'app_home_opened', user: opts.user ?? USER, channel: opts.channel ?? DM, tab, event_ts: '1800000000.000100' };
}
