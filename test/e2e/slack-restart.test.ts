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
import { userText } from '../../src/user-text.ts';
import { CHANNEL, isLive, mentionEvent, SIGNING_SECRET } from '../fakes/slack/harness.ts';
import { slackSender } from '../fakes/slack/sender.ts';
import { startFakeSlack } from '../fakes/slack/server.ts';
import { startFakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../support/free-port.ts';
import { answerInProgressRecorded, spawnBot } from '../support/bot-process.ts';


test('an answer cut by a crash is marked as interrupted, without controls, when the bot starts again', async () => {
  const slack = await startFakeSlack();
  const upstream = await startFakeUpstream();
  const storeFile = join(mkdtempSync(join(tmpdir(), 'bot-restart-')), 'bot.sqlite');
  const port = await freePort();
  const env = {
    LLM_API_BASE: upstream.url,
    LLM_API_KEY: 'test-key',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_STREAMING: 'update',
    PORT: String(port),
    STORE_URL: `sqlite://${storeFile}`,
    INSTANCE_ID: 'slack-restart-test',
    LOG_LEVEL: 'silent',
  };
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
