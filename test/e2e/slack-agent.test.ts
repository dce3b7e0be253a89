/**
 * Slack's agent experience (`agent_view`, what manifest.yaml declares) end to end: the
 * real Bolt against the fake Slack's agent app, and the fake upstream.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { userTextIn } from '../../src/user-text.ts';
import { appHomeOpened, DM } from '../fakes/slack/ai-events.ts';
import {
  blockAction,
  buttonValue,
  finalAnswer,
  isFinal,
  mentionEvent,
  messageEvent,
  OTHER_USER,
  startSlackBot,
  USER,
  type SlackBotUnderTest,
} from '../fakes/slack/harness.ts';
import type { FakeSlackMessage, SlackCall } from '../fakes/slack/server.ts';
import { answerTranscript, fixtureAnswer } from '../fakes/upstream.ts';
import { captureLogs } from '../support/log-capture.ts';

const userText = userTextIn('en');

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const agentBot = (env: Record<string, string> = {}, logger = captureLogs('debug')) =>
  startSlackBot({ SLACK_AI_EXPERIENCE: 'auto', ...env }, { logger: logger.logger });
const sessionSet = (status: string, threadTs: string) => (c: SlackCall) =>
  c.method === 'agents.sessions.setStatus' && c.args.status === status && c.args.thread_ts === threadTs && c.error === undefined;
/** What a user reads in a streamed message: the `markdown` block it was rewritten with, else what was streamed. */
const shown = (m: FakeSlackMessage) =>
  ((m.blocks ?? []).find((b) => (b as { type?: string }).type === 'markdown') as { text?: string } | undefined)?.text ?? m.markdown ?? '';
const showsStop = (c: SlackCall) => JSON.stringify(c.args.blocks ?? []).includes('"action_id":"stop"');

test('a question on the Messages tab is an agent session: processing with a title from it, then active; Slack stops it, so no Stop of ours', async () => {
  const logs = captureLogs('debug');
  t = await agentBot({}, logs);
  expect(logs.lines().find((l) => l.msg === 'slack AI surface chosen')).toMatchObject({ aiSurface: 'agent' });
  const dm = messageEvent('How do I rotate a Slack token safely?', { channel: DM, channelType: 'im' });
  await t.sender.event(dm);

  expect(await finalAnswer(t.slack, dm.ts, { channel: DM })).toContain(toMrkdwn(fixtureAnswer()));
  await t.slack.waitForCall(sessionSet('active', dm.ts));
  expect(t.slack.agentSession(DM, dm.ts)).toEqual({ title: 'How do I rotate a Slack token safely?', initiator: USER, statuses: ['processing', 'active'] });
  const processingAt = t.slack.calls.findIndex(sessionSet('processing', dm.ts));
  const firstWrite = t.slack.calls.findIndex((c) => c.method === 'chat.postMessage' && c.args.thread_ts === dm.ts);
  expect(processingAt).toBeLessThan(firstWrite);
  expect(t.slack.calls.filter(showsStop)).toEqual([]);

  // A follow-up in the thread, still without a mention: the same session works again, its title kept.
  await t.sender.event(messageEvent('And how often?', { channel: DM, channelType: 'im', threadTs: dm.ts }));
  await finalAnswer(t.slack, dm.ts, { channel: DM, nth: 2 });
  await vi.waitFor(() => expect(t!.slack.agentSession(DM, dm.ts)?.statuses).toEqual(['processing', 'active', 'processing', 'active']));
  expect(t.slack.agentSession(DM, dm.ts)?.title).toBe('How do I rotate a Slack token safely?');
  expect(t.upstream.requests[1]?.body.messages.at(-1)).toEqual({ role: 'user', content: 'And how often?' });
});

test('New conversation closes the thread’s agent session', async () => {
  t = await agentBot();
  const dm = messageEvent('Remember the number 42.', { channel: DM, channelType: 'im' });
  await t.sender.event(dm);
  await finalAnswer(t.slack, dm.ts, { channel: DM });
  const final = t.slack.thread(DM, dm.ts).find(isFinal)!;
  await t.sender.interaction(
    blockAction(t.slack, final, { action_id: 'new_conversation', block_id: 'answer_final', type: 'button', value: buttonValue(final, 'new_conversation') }),
  );
  await t.slack.waitForCall(sessionSet('closed', dm.ts));
  await vi.waitFor(() => expect(t!.slack.agentSession(DM, dm.ts)?.statuses).toEqual(['processing', 'active', 'closed']));
});

test('the session’s own stop button stops a streaming answer, and the session leaves processing', async () => {
  t = await agentBot({ SLACK_STREAMING: 'native' });
  t.upstream.script({ type: 'hang', pieces: answerTranscript({ type: 'answer', text: 'The first words of a long story, then' }).slice(0, 2) });
  const dm = messageEvent('Tell me a long story', { channel: DM, channelType: 'im' });
  await t.sender.event(dm);
  await t.slack.waitForCall((c) => c.method === 'chat.startStream' && c.error === undefined);

  const stop = t.slack.pressSessionStop(DM, dm.ts, USER);
  expect(stop.streaming_message_ts).toHaveLength(1);
  await t.sender.event(stop);

  await t.slack.waitForCall(sessionSet('active', dm.ts));
  // The stopped message is rewritten with what was written so far, the stop note and the controls.
  await t.slack.waitForCall(() => t!.slack.thread(DM, dm.ts).some(isFinal));
  const answer = t.slack.thread(DM, dm.ts);
  expect(answer).toHaveLength(1);
  expect(shown(answer[0]!)).toBe(`The first words of a long story, then\n\n${userText.stopped}`);
  expect(t.slack.agentSession(DM, dm.ts)?.statuses).toEqual(['processing', 'active']);
  // Slack's stop button took the place of ours: no Stop message was posted.
  expect(t.slack.calls.filter(showsStop)).toEqual([]);
});

test('someone else pressing the session’s stop is told only the asker or an admin may, and the answer goes on', async () => {
  t = await agentBot();
  t.upstream.script({ type: 'hang', pieces: answerTranscript({ type: 'answer', text: 'Still going' }).slice(0, 2) });
  const channel = 'C0GENERAL';
  const mention = mentionEvent('plan the offsite', { channel });
  await t.sender.event(mention);
  await t.slack.waitForCall(sessionSet('processing', mention.ts));

  await t.sender.event(t.slack.pressSessionStop(channel, mention.ts, OTHER_USER));
  const notice = await t.slack.waitForCall((c) => c.method === 'chat.postEphemeral' && c.args.user === OTHER_USER);
  expect(notice.args.text).toBe(toMrkdwn(userText.onlyAskerMay('stop', userText.answerModerators.slack)));
  expect(t.slack.agentSession(channel, mention.ts)?.statuses).toEqual(['processing']);
  expect(t.bot.core.activeTurns).toBe(1);
});

test('opening the Messages tab greets once a day with the suggested questions, and a question pressed is answered in the greeting’s thread', async () => {
  const logs = captureLogs('debug');
  t = await agentBot({}, logs);
  const greetings = () => t!.slack.messages.filter((m) => m.channel === DM && JSON.stringify(m.blocks ?? []).includes('agent_greeting'));
  await t.sender.event(appHomeOpened('messages'));
  await t.slack.waitForCall(() => greetings().length === 1);
  const greeting = greetings()[0]!;
  expect(JSON.stringify(greeting.blocks)).toContain(userText.suggestedPrompts[0]!.title);

  await t.sender.event(appHomeOpened('messages'));
  await t.sender.event(appHomeOpened('home'));
  await vi.waitFor(() => expect(logs.lines().filter((l) => l.msg === 'already greeted today')).toHaveLength(1));
  expect(greetings()).toHaveLength(1);

  const prompt = userText.suggestedPrompts[2]!;
  await t.sender.interaction(
    blockAction(t.slack, greeting, { action_id: 'suggested_question_2', block_id: 'agent_greeting', type: 'button', value: buttonValue(greeting, 'suggested_question_2') }),
  );
  await finalAnswer(t.slack, greeting.ts, { channel: DM });
  expect(t.upstream.requests[0]?.body.messages.at(-1)).toEqual({ role: 'user', content: prompt.message });
  await t.slack.waitForCall(sessionSet('active', greeting.ts));
  expect(t.slack.agentSession(DM, greeting.ts)?.initiator).toBe(USER);
});

test('Regenerate in an agent session: the session works on it again (processing, then active, its title kept), no Stop of ours, a split answer comes back shorter with the leftover parts deleted and the controls under its last message', async () => {
  t = await agentBot();
  t.upstream.script({ type: 'answer', text: Array.from({ length: 300 }, (_, i) => `Sentence ${i} of a long answer.`).join(' '), chunkSize: 2000 });
  const dm = messageEvent('Tell me everything', { channel: DM, channelType: 'im' });
  await t.sender.event(dm);
  await finalAnswer(t.slack, dm.ts, { channel: DM });
  await t.slack.waitForCall(sessionSet('active', dm.ts));
  await t.settled();
  const answer = t.slack.thread(DM, dm.ts);
  expect(answer.length).toBeGreaterThanOrEqual(2);
  expect(answer.map(isFinal)).toEqual(answer.map((_, i) => i === answer.length - 1));

  t.upstream.script({ type: 'answer', text: 'In short: all is well.' });
  const last = answer.at(-1)!;
  await t.sender.interaction(
    blockAction(t.slack, last, { type: 'button', action_id: 'regenerate', block_id: 'answer_final', value: buttonValue(last, 'regenerate') }),
  );
  await vi.waitFor(() => expect(t!.slack.agentSession(DM, dm.ts)?.statuses).toEqual(['processing', 'active', 'processing', 'active']));
  await t.settled();
  const regenerated = t.slack.thread(DM, dm.ts);
  expect(regenerated.map((m) => m.ts)).toEqual([answer[0]!.ts]);
  expect(regenerated[0]!.text).toContain('In short: all is well.');
  expect(isFinal(regenerated[0]!)).toBe(true);
  expect(t.slack.agentSession(DM, dm.ts)?.title).toBe('Tell me everything');
  expect(t.slack.calls.filter(showsStop)).toEqual([]);
});
