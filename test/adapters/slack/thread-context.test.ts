/**
 * Reading a Slack thread for the core, against the fake Slack's Web API through a
 * real @slack/web-api client configured as the adapter's (429s rejected at once).
 */
import { webApi } from '@slack/bolt';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { SlackThreadReader, type ThreadToRead } from '../../../adapters/slack/thread-context.ts';
import { SlackUserDirectory } from '../../../adapters/slack/user-directory.ts';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/server.ts';

const CHANNEL = 'C0TEAM';
const PARENT = '1800000000.000100';

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
  slack.addUser({ id: 'U0ALICE', name: 'alice', realName: 'Alice Liddell', displayName: 'Alice' });
  slack.addUser({ id: 'U0BOB', name: 'bob', realName: 'Bob Builder' });
});
afterEach(async () => {
  await slack.close();
});

function reader() {
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  return new SlackThreadReader({
    client,
    bot: { userId: slack.botUserId, botId: slack.botId, name: 'Gemini' },
    users: new SlackUserDirectory({ client, logger: pino({ level: 'silent' }) }),
    logger: pino({ level: 'silent' }),
  });
}

/** A message in the thread at `PARENT`, `n` seconds after it. */
const say = (n: number, who: { user?: string; botId?: string; botName?: string }, text: string, extra: { files?: Record<string, unknown>[]; subtype?: string } = {}) => {
  const ts = `${1_800_000_000 + n}.000100`;
  slack.threads.add({ channel: CHANNEL, ts, threadTs: PARENT, text, ...who, ...extra });
  return ts;
};

const thread = (beforeTs: string, max = 50): ThreadToRead => ({ teamId: slack.teamId, channel: CHANNEL, threadTs: PARENT, beforeTs, max });

test('a thread of 3 messages by 2 people comes back oldest first, each named, without the mention', async () => {
  say(0, { user: 'U0ALICE' }, 'Is the release on for Friday?');
  say(1, { user: 'U0BOB' }, 'Only if <@U0ALICE> signs off &amp; QA is green');
  say(2, { user: 'U0ALICE' }, 'QA is green: <https://ci.example/run/42|run 42>');
  const mention = say(3, { user: 'U0ALICE' }, `<@${slack.botUserId}> so are we on?`);
  const read = await reader().read(thread(mention));
  expect(read).toEqual({
    truncated: false,
    messages: [
      { platformMessageId: PARENT, role: 'user', author: { id: 'U0ALICE', name: 'Alice' }, text: 'Is the release on for Friday?', attachments: [], at: 1_800_000_000_000 },
      { platformMessageId: '1800000001.000100', role: 'user', author: { id: 'U0BOB', name: 'Bob Builder' }, text: 'Only if @Alice signs off & QA is green', attachments: [], at: 1_800_000_001_000 },
      { platformMessageId: '1800000002.000100', role: 'user', author: { id: 'U0ALICE', name: 'Alice' }, text: 'QA is green: run 42 (https://ci.example/run/42)', attachments: [], at: 1_800_000_002_000 },
    ],
  });
});

test('the bot’s own messages are assistant messages; other bots are named; joins are left out', async () => {
  say(0, { user: 'U0BOB' }, 'deploy?');
  say(1, { user: slack.botUserId, botId: slack.botId }, 'Deploying now.');
  say(2, { botId: 'B0CI', botName: 'CI' }, 'Build #7 passed');
  say(3, { user: 'U0ALICE' }, '<@U0ALICE> has joined the channel', { subtype: 'channel_join' });
  const mention = say(4, { user: 'U0ALICE' }, `<@${slack.botUserId}> status?`);
  const read = await reader().read(thread(mention));
  expect(read.messages.map((m) => [m.role, m.author.name, m.text])).toEqual([
    ['user', 'Bob Builder', 'deploy?'],
    ['assistant', 'Gemini', 'Deploying now.'],
    ['user', 'CI', 'Build #7 passed'],
  ]);
  // Nobody needs the bot's own name looked up.
  expect(slack.calls.filter((c) => c.method === 'users.info').map((c) => c.args.user)).toEqual(['U0BOB']);
});

test('a long thread is read page by page through the cursor and only the newest are kept', async () => {
  slack.threads.maxPageSize = 15; // a non-Marketplace app: 15 messages a page at most
  for (let i = 0; i < 40; i += 1) say(i, { user: i % 2 ? 'U0BOB' : 'U0ALICE' }, `message ${i}`);
  const mention = say(40, { user: 'U0ALICE' }, `<@${slack.botUserId}> sum up`);
  const read = await reader().read(thread(mention, 20));
  expect(read.truncated).toBe(true);
  expect(read.messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i + 20}`));
  const calls = slack.calls.filter((c) => c.method === 'conversations.replies');
  expect(calls.map((c) => c.args.cursor === undefined)).toEqual([true, false, false]);
  expect(calls.every((c) => c.args.ts === PARENT && c.args.channel === CHANNEL)).toBe(true);
});

test('each person is looked up once per adapter, however many reads', async () => {
  say(0, { user: 'U0ALICE' }, 'a');
  say(1, { user: 'U0BOB' }, 'b');
  const mention = say(2, { user: 'U0ALICE' }, 'c');
  const r = reader();
  await r.read(thread(mention));
  await r.read(thread(mention));
  expect(slack.calls.filter((c) => c.method === 'users.info').map((c) => c.args.user).sort()).toEqual(['U0ALICE', 'U0BOB']);
});

test('a file on a thread message comes as an attachment', async () => {
  const file = slack.addFile({ id: 'F0LOG', name: 'build.log', mimetype: 'text/plain', bytes: Buffer.from('OOM') });
  say(0, { user: 'U0BOB' }, 'log attached', { files: [file], subtype: 'file_share' });
  const mention = say(1, { user: 'U0ALICE' }, 'why?');
  const [message] = (await reader().read(thread(mention))).messages;
  expect(message?.attachments).toEqual([expect.objectContaining({ ref: 'F0LOG', name: 'build.log', contentType: 'text/plain', size: 3 })]);
});

test('a short 429 is waited out; a long one (1 a minute outside the Marketplace) gives up at once', async () => {
  say(0, { user: 'U0BOB' }, 'hello');
  const mention = say(1, { user: 'U0ALICE' }, 'hi');
  slack.fail('conversations.replies', 1, { type: 'rate-limited', retryAfterSec: 1 });
  expect((await reader().read(thread(mention))).messages.map((m) => m.text)).toEqual(['hello']);

  slack.fail('conversations.replies', 1, { type: 'rate-limited', retryAfterSec: 60 });
  expect(await reader().read(thread(mention))).toEqual({ messages: [], truncated: false, failure: 'unavailable' });
});

test('the fake holds conversations.replies to Tier 3: the 51st call in a minute gets a 429 with Retry-After', async () => {
  say(0, { user: 'U0BOB' }, 'hello');
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  for (let i = 0; i < 50; i += 1) await client.conversations.replies({ channel: CHANNEL, ts: PARENT });
  const limited = await client.conversations.replies({ channel: CHANNEL, ts: PARENT }).catch((err: unknown) => err);
  expect(limited).toBeInstanceOf(webApi.WebAPIRateLimitedError);
  expect((limited as { retryAfter: number }).retryAfter).toBeGreaterThan(0);
});

test('without the history scope the read says it was not allowed', async () => {
  const mention = say(0, { user: 'U0ALICE' }, 'hi');
  slack.fail('conversations.replies', 1, { type: 'error', error: 'missing_scope' });
  expect(await reader().read(thread(mention))).toEqual({ messages: [], truncated: false, failure: 'forbidden' });
});
