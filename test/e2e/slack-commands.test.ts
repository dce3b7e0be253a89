/**
 * Steering the bot from Slack: `/model` and `/reset` in a channel, and the
 * controls under answers (model picker, New conversation, Stop), through the
 * real Bolt and core. Who may use them: moderation.test.ts beside this.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { userTextIn } from '../../src/user-text.ts';
import {
  ADMIN_USER,
  blockAction,
  buttonValue,
  CHANNEL,
  finalAnswer,
  isFinal,
  isLive,
  mentionEvent,
  messageEvent,
  pickerValue,
  startSlackBot,
  USER,
  type SlackBotUnderTest,
} from '../fakes/slack/harness.ts';

const userText = userTextIn('en');

let t: SlackBotUnderTest;
beforeEach(async () => {
  t = await startSlackBot();
});
afterEach(async () => {
  await t.close();
});

const where = { channel: CHANNEL, user: USER, responseUrl: '' };
/** A workspace admin: the channel's default model is theirs to set. */
const admin = { ...where, user: ADMIN_USER };

test('/model <name> from a workspace admin sets the channel default used by the next mention', async () => {
  const reply = await t.sender.command('/model', 'gemini-3.0-pro', { ...admin, responseUrl: t.slack.responseUrl('cmd') });
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toMatchObject({ response_type: 'in_channel', text: expect.stringContaining('gemini-3.0-pro') });

  const event = mentionEvent('which model?');
  await t.sender.event(event);
  await finalAnswer(t.slack, event.ts);
  expect(t.upstream.requests[0]?.body.model).toBe('gemini-3.0-pro');
});

test('/model with an unknown name says so and changes nothing', async () => {
  const reply = await t.sender.command('/model', 'gpt-9', { ...admin, responseUrl: t.slack.responseUrl('cmd') });
  const body = JSON.parse(reply.body) as { response_type: string; text: string };
  expect(body.response_type).toBe('ephemeral');
  expect(body.text).toContain('gpt-9');

  const event = mentionEvent('which model?');
  await t.sender.event(event);
  await finalAnswer(t.slack, event.ts);
  expect(t.upstream.requests[0]?.body.model).toBe('gemini-2.5-pro');
});

test('/model alone lists the models privately, with a picker that sets the channel default for an admin', async () => {
  const reply = await t.sender.command('/model', '', { ...admin, responseUrl: t.slack.responseUrl('cmd') });
  const body = JSON.parse(reply.body) as { response_type: string; text: string; blocks: { block_id?: string; elements?: { action_id: string; initial_option?: { value: string } }[] }[] };
  expect(body.response_type).toBe('ephemeral');
  expect(body.text).toContain('gemini-2.5-pro` (current)');
  const actions = body.blocks.find((b) => b.elements);
  expect(actions?.elements?.[0]?.initial_option?.value).toBe('gemini-2.5-pro');

  const ephemeral = { channel: CHANNEL, ts: '1800000000.999999', threadTs: undefined, text: body.text, blocks: body.blocks, updates: 0 };
  const responseUrl = t.slack.responseUrl('picker');
  await t.sender.interaction(
    blockAction(
      t.slack,
      ephemeral,
      { type: 'static_select', action_id: 'channel_model_pick', block_id: actions?.block_id ?? '', value: 'gemini-3.1-pro' },
      { ephemeral: true, responseUrl, user: ADMIN_USER },
    ),
  );
  const replaced = await t.slack.waitForOther((r) => r.path === '/respond/picker');
  expect(JSON.parse(replaced.body)).toMatchObject({ replace_original: true, text: expect.stringContaining('gemini-3.1-pro') });

  const event = mentionEvent('which model?');
  await t.sender.event(event);
  await finalAnswer(t.slack, event.ts);
  expect(t.upstream.requests[0]?.body.model).toBe('gemini-3.1-pro');
});

test("the picker under an answer switches that thread's model for its next turn", async () => {
  const first = mentionEvent('hello');
  await t.sender.event(first);
  await finalAnswer(t.slack, first.ts);
  const answer = t.slack.thread(CHANNEL, first.ts).find(isFinal);
  if (!answer) throw new Error('no final answer');

  await t.sender.interaction(
    blockAction(t.slack, answer, { type: 'static_select', action_id: 'model_pick', block_id: 'answer_final', value: pickerValue(answer, 'gemini-3.0-pro') }),
  );
  await t.slack.waitForCall((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('gemini-3.0-pro'));

  await t.sender.event(messageEvent('and now?', { threadTs: first.ts }));
  await finalAnswer(t.slack, first.ts, { nth: 2 });
  expect(t.upstream.requests[1]?.body.model).toBe('gemini-3.0-pro');

  // Another thread in the channel keeps the channel's default.
  const other = mentionEvent('elsewhere');
  await t.sender.event(other);
  await finalAnswer(t.slack, other.ts);
  expect(t.upstream.requests[2]?.body.model).toBe('gemini-2.5-pro');
});

test('New conversation under an answer makes the thread forget what was said; follow-ups there still need no mention', async () => {
  const first = mentionEvent('remember the number 42');
  await t.sender.event(first);
  await finalAnswer(t.slack, first.ts);
  const answer = t.slack.thread(CHANNEL, first.ts).find(isFinal);
  if (!answer) throw new Error('no final answer');

  const conversationId = `slack:T0001:${CHANNEL}:${first.ts}`;
  expect(buttonValue(answer, 'new_conversation')).toBe(JSON.stringify([conversationId, USER]));
  await t.sender.interaction(
    blockAction(t.slack, answer, { type: 'button', action_id: 'new_conversation', block_id: 'answer_final', value: buttonValue(answer, 'new_conversation') }),
  );
  await t.slack.waitForCall((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('reset'));
  expect(await t.bot.core.hasHistory(conversationId)).toBe(false);

  await t.sender.event(messageEvent('what number?', { threadTs: first.ts }));
  await finalAnswer(t.slack, first.ts, { nth: 2 });
  expect(t.upstream.requests[1]?.body.messages.slice(1)).toEqual([{ role: 'user', content: 'what number?' }]);
});

test('Stop on a streaming answer stops it and says so', async () => {
  t.upstream.script({ type: 'hang', pieces: [
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Counting: one, two' }, finish_reason: null }] })}\n\n`,
  ] });
  const event = mentionEvent('count forever');
  await t.sender.event(event);
  await t.slack.waitForCall(() => t.slack.thread(CHANNEL, event.ts).some((m) => isLive(m) && m.text.includes('Counting')));
  const live = t.slack.thread(CHANNEL, event.ts).find(isLive);
  if (!live) throw new Error('no live answer');
  const elements = (live.blocks ?? []).flatMap((b) => (b as { elements?: { action_id: string; value?: string }[] }).elements ?? []);
  const turnId = elements.find((e) => e.action_id === 'stop')?.value ?? '';

  await t.sender.interaction(blockAction(t.slack, live, { type: 'button', action_id: 'stop', block_id: 'answer_live', value: turnId }));
  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain('Counting: one, two');
  expect(text).toContain('Stopped');
});

test('/reset in a channel resets nothing, says so privately and how to start afresh', async () => {
  const first = mentionEvent('remember the number 42');
  await t.sender.event(first);
  await finalAnswer(t.slack, first.ts);
  await t.settled();

  const reply = await t.sender.command('/reset', '', { ...where, responseUrl: t.slack.responseUrl('cmd') });
  const body = JSON.parse(reply.body) as { response_type: string; text: string };
  expect(body).toEqual({ response_type: 'ephemeral', text: toMrkdwn(userText.resetSlackChannel) });
  expect(body.text).not.toContain('Conversation reset');
  // The thread's conversation is untouched.
  expect(await t.bot.core.hasHistory(`slack:T0001:${CHANNEL}:${first.ts}`)).toBe(true);
});
