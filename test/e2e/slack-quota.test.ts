/**
 * Daily token quotas and `/usage` on Slack, end to end through the real Bolt:
 * a person over their limit is told so in the thread and nothing goes upstream;
 * `/usage` answers privately, with the workspace's top users by name for admins
 * only; two instances on one Redis share one count.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { ADMIN_USER, CHANNEL, finalAnswer, mentionEvent, messageEvent, OTHER_USER, SIGNING_SECRET, slackBotEnv, startSlackBot, USER, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import { slackSender, type SlackSender } from '../fakes/slack/sender.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/server.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../support/free-port.ts';
import { describeRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';

/** What the provider's published stream reports as `total_tokens`; scripted answers report 30. */
const FIXTURE_TOKENS = 535;

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** `/usage` sent as `user`: its reply in mrkdwn lines, blank lines and the reset line (its countdown moves with the clock) checked and taken out. */
async function usage(sender: SlackSender, slack: FakeSlack, user: string): Promise<{ responseType: string; lines: string[] }> {
  const reply = await sender.command('/usage', '', { channel: CHANNEL, user, responseUrl: slack.responseUrl('usage') });
  const body = JSON.parse(reply.body) as { response_type: string; text: string };
  const lines = body.text.split('\n').filter((line) => line !== '');
  const reset = lines.findIndex((line) => line.startsWith('The counts start again'));
  expect(lines[reset]).toMatch(/^The counts start again at 00:00 \(UTC\), in \d+ (h|min)/);
  return { responseType: body.response_type, lines: lines.filter((_, i) => i !== reset) };
}

/** Markdown lines as Slack shows them. */
const mrkdwn = (lines: string[]) => lines.map((line) => toMrkdwn(line));

test('a person over QUOTA_USER_DAILY_TOKENS is told so in the thread, and nothing goes upstream', async () => {
  t = await startSlackBot({ QUOTA_USER_DAILY_TOKENS: '500', TZ: 'UTC' });
  const start = mentionEvent('what are you?');
  await t.sender.event(start);
  await finalAnswer(t.slack, start.ts);
  await t.settled();

  await t.sender.event(messageEvent('and who trained you?', { threadTs: start.ts }));
  const refusal = await finalAnswer(t.slack, start.ts, { nth: 2 });
  expect(refusal).toContain(`You have used ${FIXTURE_TOKENS} of your 500 tokens for today.`);
  expect(refusal).toMatch(/Your limit resets at 00:00 \(UTC\), in \d+ (h|min)/);
  expect(t.upstream.requests).toHaveLength(1);
});

test('/usage answers privately; only a workspace admin sees the top users, by their Slack names', async () => {
  t = await startSlackBot({ QUOTA_CHANNEL_DAILY_TOKENS: '100000', QUOTA_WORKSPACE_DAILY_TOKENS: '1000000', TZ: 'UTC' });
  t.slack.addUser({ id: OTHER_USER, name: 'bob', displayName: 'Bobby' });
  const first = mentionEvent('what are you?');
  await t.sender.event(first);
  await finalAnswer(t.slack, first.ts);
  t.upstream.script({ type: 'answer', text: 'Hi Bob.' });
  const second = { ...mentionEvent('hi'), user: OTHER_USER };
  await t.sender.event(second);
  await finalAnswer(t.slack, second.ts);
  await t.settled();

  expect(await usage(t.sender, t.slack, USER)).toEqual({
    responseType: 'ephemeral',
    lines: mrkdwn([
      '**You** have used 535 tokens today. There is no daily limit per person.',
      '**This channel** has used 565 of its 100,000 tokens today.',
      '**This workspace** has used 565 of its 1,000,000 tokens today.',
    ]),
  });
  expect(await usage(t.sender, t.slack, ADMIN_USER)).toEqual({
    responseType: 'ephemeral',
    lines: mrkdwn([
      '**You** have used 0 tokens today. There is no daily limit per person.',
      '**This channel** has used 565 of its 100,000 tokens today.',
      '**This workspace** has used 565 of its 1,000,000 tokens today.',
      'Most tokens in this workspace today:',
      '1. alice: 535 tokens',
      '2. Bobby: 30 tokens',
    ]),
  });
});

describeRedis('two instances on one Redis', () => {
  let redis: RedisServer;
  let slack: FakeSlack;
  let upstream: FakeUpstream;
  const bots: RunningBot[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.allSettled(bots.splice(0).map((bot) => bot.stop(0)));
    await Promise.allSettled([slack.close(), upstream.close()]);
  });

  async function instance(name: string): Promise<{ bot: RunningBot; sender: SlackSender }> {
    const port = await freePort();
    const bot = await startBot({
      env: { ...slackBotEnv(slack, upstream.url, port), STORE_URL: redis.url, INSTANCE_ID: `quota-${name}`, QUOTA_USER_DAILY_TOKENS: '500', TZ: 'UTC' },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
    bots.push(bot);
    return { bot, sender: slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, teamId: slack.teamId, botUserId: slack.botUserId }) };
  }

  test('share one count: what a person spent through one instance holds them back on the other', async () => {
    slack = await startFakeSlack();
    upstream = await startFakeUpstream();
    const [one, two] = [await instance('one'), await instance('two')];

    const first = mentionEvent('what are you?');
    // Each sender counts event ids from 1; Slack's are unique, so name them.
    await one.sender.event(first, { eventId: 'EvQUOTA1' });
    await finalAnswer(slack, first.ts);
    await one.bot.core.drain(60_000);

    const second = mentionEvent('again, elsewhere');
    await two.sender.event(second, { eventId: 'EvQUOTA2' });
    expect(await finalAnswer(slack, second.ts)).toContain(`You have used ${FIXTURE_TOKENS} of your 500 tokens for today.`);
    expect(upstream.requests).toHaveLength(1);
    expect((await usage(two.sender, slack, USER)).lines).toEqual(mrkdwn([`**You** have used ${FIXTURE_TOKENS} of your 500 tokens today.`]));
  });
});
