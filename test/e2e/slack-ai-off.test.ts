/**
 * A Slack app without Slack's surface for AI apps (no `assistant:write`, or methods Slack
 * refuses) behaves as it did before it: plain threads, our own Stop, no assistant or
 * agent calls. End to end through the real Bolt against the fake Slack.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { appHomeOpened, assistantThreadStarted, DM } from '../fakes/slack/ai-events.ts';
import { finalAnswer, mentionEvent, messageEvent, startSlackBot, userTs, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import { MANIFEST_SCOPES, type SlackCall } from '../fakes/slack/server.ts';
import { answerTranscript, fixtureAnswer } from '../fakes/upstream.ts';
import { captureLogs } from '../support/log-capture.ts';

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const aiCalls = (calls: SlackCall[]) => calls.filter((c) => c.method.startsWith('assistant.') || c.method.startsWith('agents.'));
const showsStop = (c: SlackCall) => JSON.stringify(c.args.blocks ?? []).includes('"action_id":"stop"');

test('without assistant:write the bot says so at start-up and answers as before: no assistant or agent calls, our Stop shown', async () => {
  const logs = captureLogs();
  t = await startSlackBot({ SLACK_AI_EXPERIENCE: 'auto' }, { fake: { scopes: MANIFEST_SCOPES.filter((s) => s !== 'assistant:write') }, logger: logs.logger });
  expect(logs.lines().filter((l) => l.msg === 'slack AI surface chosen')).toEqual([
    expect.objectContaining({ aiSurface: 'none', reason: 'the token lacks assistant:write' }),
  ]);

  // Events of the AI surface, should Slack send them anyway, change nothing.
  await t.sender.event(assistantThreadStarted(userTs()));
  await t.sender.event(appHomeOpened('messages'));
  const dm = messageEvent('hello bot', { channel: DM, channelType: 'im' });
  await t.sender.event(dm);
  expect(await finalAnswer(t.slack, dm.ts, { channel: DM })).toContain(toMrkdwn(fixtureAnswer()));
  const mention = mentionEvent('and in a channel?');
  await t.sender.event(mention);
  await finalAnswer(t.slack, mention.ts);

  expect(aiCalls(t.slack.calls)).toEqual([]);
  expect(t.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === DM && c.args.thread_ts === undefined)).toEqual([]);
  expect(t.slack.calls.filter((c) => c.method === 'chat.postMessage' && showsStop(c)).map((c) => c.args.thread_ts)).toEqual([dm.ts, mention.ts]);
});

test('an app Slack does not take as an agent (not_allowed) answers anyway, and from then on as before', async () => {
  const logs = captureLogs();
  t = await startSlackBot({ SLACK_AI_EXPERIENCE: 'auto' }, { fake: { app: 'plain' }, logger: logs.logger });
  expect(logs.lines().find((l) => l.msg === 'slack AI surface chosen')).toMatchObject({ aiSurface: 'agent' });

  const first = messageEvent('first question', { channel: DM, channelType: 'im' });
  await t.sender.event(first);
  expect(await finalAnswer(t.slack, first.ts, { channel: DM })).toContain(toMrkdwn(fixtureAnswer()));
  expect(aiCalls(t.slack.calls).map((c) => c.error)).toEqual(['not_allowed']);
  await vi.waitFor(() => expect(logs.lines().filter((l) => l.msg.startsWith('slack refused its AI surface'))).toHaveLength(1));

  // The next answer, still streaming, shows our Stop again.
  t.upstream.script({ type: 'hang', pieces: answerTranscript({ type: 'answer', text: 'Working on it' }).slice(0, 2) });
  const second = messageEvent('second question', { channel: DM, channelType: 'im' });
  await t.sender.event(second);
  await t.slack.waitForCall((c) => c.method === 'chat.postMessage' && c.args.thread_ts === second.ts && showsStop(c));
  expect(aiCalls(t.slack.calls)).toHaveLength(1);
});
