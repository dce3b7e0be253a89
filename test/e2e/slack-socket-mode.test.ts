/**
 * Socket Mode: with SLACK_APP_TOKEN set the bot opens a WebSocket (from
 * apps.connections.open) instead of listening for HTTP, and events, slash
 * commands and button presses arrive as envelopes it acknowledges.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { fixtureAnswer } from '../fakes/upstream.ts';
import { ADMIN_USER, CHANNEL, finalAnswer, mentionEvent, startSlackBot, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import { eventCallback } from '../fakes/slack/sender.ts';
import { freePort } from '../support/free-port.ts';

let t: SlackBotUnderTest;
let healthPort: number;
beforeEach(async () => {
  healthPort = await freePort();
  t = await startSlackBot({ SLACK_APP_TOKEN: 'xapp-1-test', SLACK_SIGNING_SECRET: '', HEALTH_PORT: String(healthPort) });
});
afterEach(async () => {
  await t.close();
});

const callback = (event: Record<string, unknown>, eventId: string) =>
  eventCallback(event, { teamId: t.slack.teamId, botUserId: t.slack.botUserId, eventId, eventTime: 1800000000 });

test('a mention over the socket is answered in its thread, and a redelivery is not answered again', async () => {
  expect(t.slack.socketConnections()).toBe(1);
  expect(t.slack.calls.find((c) => c.method === 'apps.connections.open')?.headers.authorization).toBe('Bearer xapp-1-test');

  const event = mentionEvent('hello over the socket');
  await t.slack.socketSend('events_api', callback(event, 'EvSOCK01'));
  await t.slack.socketSend('events_api', callback(event, 'EvSOCK01'), { retryAttempt: 1, retryReason: 'timeout' });
  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain(toMrkdwn(fixtureAnswer()));

  const sentinel = mentionEvent('next');
  await t.slack.socketSend('events_api', callback(sentinel, 'EvSOCK02'));
  await finalAnswer(t.slack, sentinel.ts);
  expect(t.upstream.requests).toHaveLength(2);
});

test('a slash command over the socket is answered in its ack', async () => {
  const ack = await t.slack.socketSend('slash_commands', {
    token: 'unused',
    team_id: t.slack.teamId,
    channel_id: CHANNEL,
    user_id: ADMIN_USER,
    command: '/model',
    text: 'gemini-3.1-pro',
    response_url: t.slack.responseUrl('cmd'),
    trigger_id: '1.2.3',
    api_app_id: 'AFAKE',
  });
  expect(ack).toMatchObject({ response_type: 'in_channel', text: expect.stringContaining('gemini-3.1-pro') });
});

test('/healthz is not ready while the socket is down and ready again once Slack says hello on the new one', async () => {
  const health = async () => {
    const response = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    return { status: response.status, slack: ((await response.json()) as { checks: { slack: boolean } }).checks.slack };
  };
  expect(await health()).toEqual({ status: 200, slack: true });

  t.slack.dropSockets({ holdHello: true });
  await vi.waitFor(async () => expect(await health()).toEqual({ status: 503, slack: false }), { timeout: 10_000, interval: 50 });
  // The client reconnects by itself (after its back-off); without Slack's hello it is not connected yet.
  await vi.waitFor(() => expect(t.slack.socketConnections()).toBe(1), { timeout: 20_000, interval: 50 });
  expect(await health()).toEqual({ status: 503, slack: false });

  t.slack.releaseHello();
  await vi.waitFor(async () => expect(await health()).toEqual({ status: 200, slack: true }), { timeout: 10_000, interval: 50 });
  const event = mentionEvent('still there?');
  await t.slack.socketSend('events_api', callback(event, 'EvSOCK03'));
  expect(await finalAnswer(t.slack, event.ts)).toContain(toMrkdwn(fixtureAnswer()));
}, 40_000);
