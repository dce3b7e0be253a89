/**
 * Plays Slack's side of the Events API, slash commands and interactivity: signed
 * POSTs to the bot's `/slack/events`, as Slack sends them (v0 signature: hex
 * HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret, in
 * `X-Slack-Signature`, the timestamp in `X-Slack-Request-Timestamp`; bolt-js
 * `src/receivers/verify-request.ts`).
 */
import { createHmac } from 'node:crypto';

export interface SenderOptions {
  /** The bot's events URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  readonly url: string;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly now?: () => number;
}

export interface SentRequest {
  readonly status: number;
  readonly body: string;
}

export interface EventOptions {
  readonly eventId?: string;
  readonly retryNum?: number;
  readonly retryReason?: string;
}

export interface SlackSender {
  /** Sends an `event_callback` wrapping `event`. */
  event(event: Record<string, unknown>, opts?: EventOptions): Promise<SentRequest>;
  /** Sends a slash command as Slack's form post. */
  command(command: string, text: string, where: { channel: string; user: string; responseUrl: string }): Promise<SentRequest>;
  /** Sends an interaction payload (`block_actions`, …) in the form field `payload`. */
  interaction(payload: Record<string, unknown>): Promise<SentRequest>;
  /** Sends a body with the given headers, signed unless `signature` is given. */
  raw(body: string, headers: Record<string, string>, signature?: string): Promise<SentRequest>;
}

export function sign(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The Events API body Slack wraps an event in (`event_callback`). */
export function eventCallback(
  event: Record<string, unknown>,
  opts: { teamId: string; botUserId: string; eventId: string; eventTime: number },
): Record<string, unknown> {
  return {
    token: 'verification-token-unused',
    team_id: opts.teamId,
    api_app_id: 'AFAKE',
    event,
    type: 'event_callback',
    event_id: opts.eventId,
    event_time: opts.eventTime,
    authorizations: [{ enterprise_id: null, team_id: opts.teamId, user_id: opts.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `ctx-${opts.eventId}`,
  };
}

export function slackSender(opts: SenderOptions): SlackSender {
  const now = opts.now ?? Date.now;
  let eventCounter = 0;

  const raw = async (body: string, headers: Record<string, string>, signature?: string): Promise<SentRequest> => {
    const timestamp = Math.floor(now() / 1000);
    const response = await fetch(opts.url, {
      method: 'POST',
      headers: {
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature ?? sign(opts.signingSecret, timestamp, body),
        ...headers,
      },
      body,
    });
    return { status: response.status, body: await response.text() };
  };

  return {
    event(event, eventOpts = {}) {
      eventCounter += 1;
      const body = JSON.stringify(
        eventCallback(event, {
          teamId: opts.teamId,
          botUserId: opts.botUserId,
          eventId: eventOpts.eventId ?? `Ev${String(eventCounter).padStart(8, '0')}`,
          eventTime: Math.floor(now() / 1000),
        }),
      );
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (eventOpts.retryNum !== undefined) {
        headers['x-slack-retry-num'] = String(eventOpts.retryNum);
        headers['x-slack-retry-reason'] = eventOpts.retryReason ?? 'http_timeout';
      }
      return raw(body, headers);
    },
    command(command, text, where) {
      const body = new URLSearchParams({
        token: 'verification-token-unused',
        team_id: opts.teamId,
        team_domain: 'fake',
        channel_id: where.channel,
        channel_name: 'general',
        user_id: where.user,
        user_name: 'someone',
        command,
        text,
        api_app_id: 'AFAKE',
        is_enterprise_install: 'false',
        response_url: where.responseUrl,
        trigger_id: '1.2.3',
      }).toString();
      return raw(body, { 'content-type': 'application/x-www-form-urlencoded' });
    },
    interaction(payload) {
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      return raw(body, { 'content-type': 'application/x-www-form-urlencoded' });
    },
    raw,
  };
}
