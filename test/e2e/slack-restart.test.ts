/**
 * A crash mid-answer (SIGKILL, no graceful shutdown) must not leave a Slack
 * message showing Stop for ever: the next start marks it as interrupted.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect, test, vi } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { startBot } from '../../src/main.ts';
import { userTextIn } from '../../src/user-text.ts';
import { CHANNEL, isLive, mentionEvent, SIGNING_SECRET } from '../fakes/slack/harness.ts';
import { slackSender } from '../fakes/slack/sender.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/server.ts';
import { type FakeUpstream, startFakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../support/free-port.ts';
import { answerInProgressRecorded, spawnBot } from '../support/bot-process.ts';

const userText = userTextIn('en');

/** The settings of a bot that will be killed and started again: a SQLite file, HTTP events on a free port. */
async function crashableBot(slack: FakeSlack, upstream: FakeUpstream, instanceId: string) {
  const storeFile = join(mkdtempSync(join(tmpdir(), 'bot-restart-')), 'bot.sqlite');
  const port = await freePort();
  const env = {
    LLM_API_BASE: upstream.url,
    LLM_API_KEY: 'test-key',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_STREAMING: 'update',
    // Plain threads with our Stop button (an agent session would show Slack's instead).
    SLACK_AI_EXPERIENCE: 'off',
    PORT: String(port),
    STORE_URL: `sqlite://${storeFile}`,
    INSTANCE_ID: instanceId,
    LOG_LEVEL: 'silent',
  };
  return { env, storeFile, port };
}

test('an answer cut by a crash is marked as interrupted, without controls, when the bot starts again', async () => {
  const slack = await startFakeSlack();
  const upstream = await startFakeUpstream();
  const { env, storeFile, port } = await crashableBot(slack, upstream, 'slack-restart-test');
  upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Half of the answer"}}]}\n\n'] });
  const crashing = spawnBot(env);
  try {
    await slack.waitForCall((c) => c.method === 'auth.test');
    const sender = slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, teamId: slack.teamId, botUserId: slack.botUserId });
    const event = mentionEvent('tell me everything');
    // The HTTP listener opens a moment after auth.test: retry the first delivery as Slack would.
    await vi.waitFor(() => sender.event(event, { eventId: 'EvRESTART1' }), { timeout: 10_000, interval: 50 });
    await slack.waitForCall(() => slack.thread(CHANNEL, event.ts).some((m) => isLive(m) && m.text.includes('Half of the answer')));
    await answerInProgressRecorded(storeFile, 'slack-restart-test');
    crashing.kill('SIGKILL');
    await once(crashing, 'exit');

    const restarted = await startBot({ env, logger: pino({ level: 'silent' }) });
    try {
      const expected = toMrkdwn(`Half of the answer\n\n${userText.interrupted}`);
      await slack.waitForCall(() => slack.thread(CHANNEL, event.ts)[0]?.text === expected);
      const [message] = slack.thread(CHANNEL, event.ts);
      expect(message?.blocks?.every((b) => (b as { type: string }).type === 'section')).toBe(true);
    } finally {
      await restarted.stop(0);
    }
  } finally {
    crashing.kill('SIGKILL');
    await Promise.allSettled([slack.close(), upstream.close()]);
  }
}, 30_000);

test('thirty answers cut by a crash in one workspace are all marked at the next start, through the scheduler, with no 429', async () => {
  const ANSWERS = 30;
  const slack = await startFakeSlack();
  // Slack's Tier 3 for chat.update: 50 per minute per workspace (docs.slack.dev "Rate limits").
  slack.budget('chat.update', { limit: 50, windowMs: 60_000 });
  const upstream = await startFakeUpstream();
  const { env, storeFile, port } = await crashableBot(slack, upstream, 'slack-restart-30');
  upstream.script(...Array.from({ length: ANSWERS }, (_, i) => ({ type: 'hang' as const, pieces: [`data: {"choices":[{"delta":{"content":"Half of answer ${i}"}}]}\n\n`] })));
  const crashing = spawnBot(env);
  const channels = Array.from({ length: ANSWERS }, (_, i) => `C${String(i).padStart(7, '0')}`);
  try {
    await slack.waitForCall((c) => c.method === 'auth.test');
    const sender = slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, teamId: slack.teamId, botUserId: slack.botUserId });
    const events = channels.map((channel, i) => ({ channel, event: mentionEvent(`question ${i}`, { channel }) }));
    // The HTTP listener opens a moment after auth.test: retry the first delivery as Slack would.
    await vi.waitFor(() => sender.event(events[0]!.event, { eventId: 'EvCUT0' }), { timeout: 10_000, interval: 50 });
    await Promise.all(events.slice(1).map(({ event }, i) => sender.event(event, { eventId: `EvCUT${i + 1}` })));
    await answerInProgressRecorded(storeFile, 'slack-restart-30', ANSWERS);
    crashing.kill('SIGKILL');
    await once(crashing, 'exit');

    // Slack has a bad moment as the bot comes back: two marks meet a 5xx and must be tried again.
    slack.fail('chat.update', 1, { type: 'http', status: 503 });
    slack.fail('chat.update', 1, { type: 'http', status: 500 });
    const restarted = await startBot({ env, logger: pino({ level: 'silent' }) });
    try {
      const marked = (channel: string, ts: string) => slack.thread(channel, ts)[0]?.text.endsWith(toMrkdwn(userText.interrupted)) === true;
      await slack.waitForCall(() => events.every(({ channel, event }) => marked(channel, event.ts)));
      // The provider's scripted halves go to the questions in the order they reached it, which
      // need not be the order they were sent: each thread holds one of them, each half is in one thread.
      const threads = events.map(({ channel, event }) => slack.thread(channel, event.ts).map((m) => m.text));
      expect(threads.every((texts) => texts.length === 1)).toBe(true);
      expect(threads.flat().toSorted()).toEqual(Array.from({ length: ANSWERS }, (_, i) => toMrkdwn(`Half of answer ${i}\n\n${userText.interrupted}`)).toSorted());
      expect(slack.calls.filter((c) => c.status === 429)).toEqual([]);
      // The marks were the restarted bot's scheduler's writes, in the workspace's chat.update budget.
      const writes = await restarted.metrics.registry.getSingleMetric('bot_platform_writes_total')?.get();
      expect(writes?.values.find((v) => v.labels.scope === 'slack:update')?.value).toBe(ANSWERS + 2);
      // Every record was deleted once its message said it was interrupted.
      await vi.waitFor(async () => {
        const left: string[] = [];
        for await (const key of restarted.store.records('turns').keys('unfinished:')) left.push(key);
        expect(left).toEqual([]);
      });
    } finally {
      await restarted.stop(0);
    }
  } finally {
    crashing.kill('SIGKILL');
    await Promise.allSettled([slack.close(), upstream.close()]);
  }
}, 120_000);

test('after a restart, a follow-up in the bot’s thread still needs no mention', async () => {
  const { startSlackBot, finalAnswer, messageEvent } = await import('../fakes/slack/harness.ts');
  const { fixtureAnswer } = await import('../fakes/upstream.ts');
  const store = { STORE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'bot-followup-')), 'bot.sqlite')}` };
  const before = await startSlackBot(store);
  const first = mentionEvent('Hello,What model are you?');
  try {
    await before.sender.event(first);
    await finalAnswer(before.slack, first.ts);
  } finally {
    await before.close();
  }

  const after = await startSlackBot(store);
  try {
    // Slack's event ids are unique across time; the new sender would count from 1 again.
    await after.sender.event(messageEvent('And who trained you?', { threadTs: first.ts }), { eventId: 'EvAFTERRESTART' });
    await finalAnswer(after.slack, first.ts);
    expect(after.upstream.requests[0]?.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'Hello,What model are you?' },
      { role: 'assistant', content: fixtureAnswer() },
      { role: 'user', content: 'And who trained you?' },
    ]);
  } finally {
    await after.close();
  }
});
