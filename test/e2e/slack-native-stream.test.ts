/**
 * SLACK_STREAMING=native end to end: the real Bolt and @slack/web-api against the
 * fake Slack's chat.startStream / appendStream / stopStream, reading what a user
 * sees in each streamed message (its Markdown, joined in order).
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, test, vi } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { startBot } from '../../src/main.ts';
import { userTextIn } from '../../src/user-text.ts';
import { blockAction, CHANNEL, finalAnswer, isFinal, isLive, mentionEvent, SIGNING_SECRET, startSlackBot, USER, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import { slackSender } from '../fakes/slack/sender.ts';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage, type SlackCall } from '../fakes/slack/server.ts';
import { fixtureAnswer, startFakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../support/free-port.ts';
import { answerInProgressRecorded, spawnBot } from '../support/bot-process.ts';

const userText = userTextIn('en');


const STREAM_METHODS = new Set(['chat.startStream', 'chat.appendStream', 'chat.stopStream']);
const streamCalls = (slack: FakeSlack) => slack.calls.filter((c) => STREAM_METHODS.has(c.method));
const markdownSent = (calls: SlackCall[]) => calls.map((c) => (typeof c.args.markdown_text === 'string' ? c.args.markdown_text : '')).join('');

/** The messages the bot streamed into a thread, oldest first. */
const streamed = (slack: FakeSlack, threadTs: string) => slack.thread(CHANNEL, threadTs).filter((m) => m.markdown !== undefined);

/** What a user reads in a streamed message: its Markdown (or the `markdown` block it was rewritten with), entities shown as characters. */
function shown(m: FakeSlackMessage): string {
  const block = (m.blocks ?? []).find((b) => (b as { type?: string }).type === 'markdown') as { text?: string } | undefined;
  return (block?.text ?? m.markdown ?? '').replaceAll('&lt;', '<');
}

/** Resolves once a streamed message of the thread is final (stopped, with the picker); returns all of them joined. */
async function streamedAnswer(slack: FakeSlack, threadTs: string): Promise<string> {
  await slack.waitForCall(() => streamed(slack, threadTs).some((m) => isFinal(m) && !m.streaming));
  return streamed(slack, threadTs).map(shown).join('');
}

/** An upstream the test feeds piece by piece, so each piece reaches Slack before the next is written. */
async function gatedUpstream() {
  let response: ServerResponse | undefined;
  let arrived: () => void = () => undefined;
  const requested = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      response = res;
      arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    async send(text: string) {
      await requested;
      response?.write(chunk({ role: 'assistant', content: text }, null));
    },
    async end() {
      await requested;
      response?.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let t: SlackBotUnderTest;
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await t.close();
  for (const close of cleanup) await close();
  cleanup = [];
});

test('a mention is answered by one native stream that ends with the whole answer and its controls', async () => {
  t = await startSlackBot({ SLACK_STREAMING: 'native' });
  const event = mentionEvent('你是誰?');
  await t.sender.event(event);

  const text = await streamedAnswer(t.slack, event.ts);
  expect(text.trimEnd()).toBe(fixtureAnswer().trimEnd());
  const calls = streamCalls(t.slack);
  expect(calls.filter((c) => c.method === 'chat.startStream')).toHaveLength(1);
  expect(calls.at(-1)?.method).toBe('chat.stopStream');
  expect(calls[0]?.args).toMatchObject({ channel: CHANNEL, thread_ts: event.ts, recipient_user_id: USER, recipient_team_id: 'T0001' });
  // No chat.update rewrote the answer: it only grew.
  expect(t.slack.calls.some((c) => c.method === 'chat.update')).toBe(false);
  // The model reasoned first (the fixture carries reasoning), yet no thinking status was streamed.
  expect(markdownSent(calls)).not.toContain('💭');
  expect(markdownSent(calls)).not.toContain(userText.thinking(undefined).replace(/\*/g, ''));
  // The Stop control was there while it streamed and is gone once the answer is over.
  await t.slack.waitForCall((c) => c.method === 'chat.delete');
  expect(t.slack.thread(CHANNEL, event.ts).filter(isLive)).toHaveLength(0);
  expect(streamed(t.slack, event.ts)).toHaveLength(1);
});

test('a workspace that refuses native streaming gets the answer by chat.update, now and for later answers', async () => {
  t = await startSlackBot({ SLACK_STREAMING: 'native' });
  t.slack.streams({ refuse: 'unknown_method' });
  const event = mentionEvent('hello');
  await t.sender.event(event);
  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain(toMrkdwn(fixtureAnswer()));
  expect(t.slack.calls.some((c) => c.method === 'chat.update')).toBe(true);

  const next = mentionEvent('again');
  await t.sender.event(next);
  expect(await finalAnswer(t.slack, next.ts)).toContain(toMrkdwn(fixtureAnswer()));
  await t.settled();
  // Refused once; the second answer did not ask again.
  expect(t.slack.calls.filter((c) => c.method === 'chat.startStream')).toHaveLength(1);
  // Only the answers remain in the threads: no stray Stop control.
  expect(t.slack.thread(CHANNEL, event.ts).every(isFinal)).toBe(true);
  expect(t.slack.thread(CHANNEL, next.ts).every(isFinal)).toBe(true);
});

test('a stream Slack ends mid-answer continues in a second message, and the two read as the whole answer', async () => {
  const upstream = await gatedUpstream();
  cleanup.push(upstream.close);
  t = await startSlackBot({ SLACK_STREAMING: 'native', LLM_API_BASE: upstream.url });
  t.slack.streams({ endAfterAppends: 1 });
  const event = mentionEvent('tell me a long story');
  await t.sender.event(event);

  const pieces = ['Once upon a time, ', 'there was a bot. ', 'It streamed for five minutes, ', 'and Slack said enough. ', 'The end.'];
  for (const piece of pieces) {
    const before = streamCalls(t.slack).length;
    await upstream.send(piece);
    if (piece !== pieces.at(-1)) await t.slack.waitForCall(() => streamCalls(t.slack).length > before);
  }
  await upstream.end();

  const text = await streamedAnswer(t.slack, event.ts);
  expect(text).toBe(pieces.join(''));
  const messages = streamed(t.slack, event.ts);
  expect(messages.length).toBeGreaterThanOrEqual(2);
  expect(t.slack.calls.filter((c) => c.error === 'message_not_in_streaming_state').length).toBeGreaterThanOrEqual(1);
  // Only the last message carries the controls.
  expect(messages.slice(0, -1).some(isFinal)).toBe(false);
});

test("a long answer continues in further streamed messages, none over Slack's limits", async () => {
  t = await startSlackBot({ SLACK_STREAMING: 'native' });
  const paragraphs = Array.from({ length: 45 }, (_, i) => `Paragraph ${i + 1}: ${'lorem ipsum dolor sit amet '.repeat(12).trim()}.`);
  t.upstream.script({ type: 'answer', text: paragraphs.join('\n\n'), chunkSize: 400 });
  const event = mentionEvent('write a lot');
  await t.sender.event(event);
  await t.slack.waitForCall(() => streamed(t.slack, event.ts).some((m) => isFinal(m) && shown(m).includes(paragraphs.at(-1) ?? '')));
  await t.settled();

  const messages = streamed(t.slack, event.ts);
  expect(messages.length).toBeGreaterThanOrEqual(2);
  for (const m of messages) expect(shown(m).length).toBeLessThanOrEqual(12_000);
  const text = messages.map(shown).join('\n\n');
  for (const p of paragraphs) expect(text).toContain(p);
  expect(t.slack.calls.some((c) => c.error === 'msg_too_long')).toBe(false);
  expect(messages.slice(0, -1).some(isFinal)).toBe(false);
  expect(isFinal(messages.at(-1) as FakeSlackMessage)).toBe(true);
});

test('model output with <!channel> and <@U…> pings nobody when streamed natively', async () => {
  t = await startSlackBot({ SLACK_STREAMING: 'native' });
  const answer = 'Hey <!channel>, ask <@U0BOSS> & <!here> in <#C0FUN>; a < b && c > d.';
  t.upstream.script({ type: 'answer', text: answer, chunkSize: 3 });
  const event = mentionEvent('ping everyone');
  await t.sender.event(event);

  expect(await streamedAnswer(t.slack, event.ts)).toBe(answer);
  const sent = markdownSent(streamCalls(t.slack));
  expect(sent).not.toMatch(/<[!@#]/);
  expect(sent).toContain('a < b && c > d.');
  expect(t.slack.calls.some((c) => 'link_names' in c.args)).toBe(false);
});

test('Stop on a natively streaming answer stops it and says so', async () => {
  t = await startSlackBot({ SLACK_STREAMING: 'native' });
  t.upstream.script({
    type: 'hang',
    pieces: [`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Counting: one, two, three' }, finish_reason: null }] })}\n\n`],
  });
  const event = mentionEvent('count forever');
  await t.sender.event(event);
  await t.slack.waitForCall((c) => c.method === 'chat.startStream');
  await t.slack.waitForCall(() => t.slack.thread(CHANNEL, event.ts).some(isLive));
  const control = t.slack.thread(CHANNEL, event.ts).find(isLive) as FakeSlackMessage;
  const elements = (control.blocks ?? []).flatMap((b) => (b as { elements?: { action_id: string; value?: string }[] }).elements ?? []);
  const turnId = elements.find((e) => e.action_id === 'stop')?.value ?? '';

  await t.sender.interaction(blockAction(t.slack, control, { type: 'button', action_id: 'stop', block_id: 'answer_live', value: turnId }));
  const text = await streamedAnswer(t.slack, event.ts);
  expect(text).toContain('Counting: one, two, three');
  expect(text).toContain('Stopped');
  await t.slack.waitForCall((c) => c.method === 'chat.delete');
  expect(t.slack.thread(CHANNEL, event.ts).some(isLive)).toBe(false);
});

test('an answer whose stream a crash left open is stopped and marked as interrupted when the bot starts again', async () => {
  const slack = await startFakeSlack();
  const upstream = await startFakeUpstream();
  const storeFile = join(mkdtempSync(join(tmpdir(), 'bot-native-restart-')), 'bot.sqlite');
  const port = await freePort();
  const env = {
    LLM_API_BASE: upstream.url,
    LLM_API_KEY: 'test-key',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_STREAMING: 'native',
    PORT: String(port),
    STORE_URL: `sqlite://${storeFile}`,
    INSTANCE_ID: 'slack-native-restart-test',
    LOG_LEVEL: 'silent',
  };
  upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Half of the **answer**"}}]}\n\n'] });
  const crashing = spawnBot(env);
  // Only this test's own servers: the shared afterEach has no bot to close.
  t = { close: async () => undefined } as unknown as SlackBotUnderTest;
  try {
    await slack.waitForCall((c) => c.method === 'auth.test');
    const sender = slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, teamId: slack.teamId, botUserId: slack.botUserId });
    const event = mentionEvent('tell me everything');
    await vi.waitFor(() => sender.event(event, { eventId: 'EvNATIVERESTART1' }), { timeout: 10_000, interval: 50 });
    await slack.waitForCall((c) => c.method === 'chat.startStream');
    await answerInProgressRecorded(storeFile, 'slack-native-restart-test');
    crashing.kill('SIGKILL');
    await once(crashing, 'exit');
    expect(streamed(slack, event.ts)[0]?.streaming).toBe(true);

    const restarted = await startBot({ env, logger: pino({ level: 'silent' }) });
    try {
      const expected = toMrkdwn(`Half of the **answer**\n\n${userText.interrupted}`);
      await slack.waitForCall(() => streamed(slack, event.ts)[0]?.text === expected);
      const [message] = streamed(slack, event.ts);
      expect(message?.streaming).toBe(false);
      expect(slack.calls.some((c) => c.method === 'chat.stopStream' && c.args.ts === message?.ts)).toBe(true);
    } finally {
      await restarted.stop(0);
    }
  } finally {
    crashing.kill('SIGKILL');
    await Promise.allSettled([slack.close(), upstream.close()]);
  }
}, 30_000);
