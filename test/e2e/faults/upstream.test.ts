/**
 * Faults of the model provider, end to end through the real discord.js: a
 * stream that dies mid-answer, a storm of 429s, a garbage event. Each time the
 * user reads what happened, history keeps exactly what was shown, and the next
 * question is answered as if nothing had happened.
 */
import { afterEach, expect, test } from 'vitest';
import { HistoryStore } from '../../../src/history/store.ts';
import { userTextIn } from '../../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../../fakes/discord/bot.ts';
import { botMessages, finalAnswer, textOf } from '../../fakes/discord/read.ts';
import { fixtureAnswer } from '../../fakes/upstream.ts';
import { startUpstreamProxy, type UpstreamProxy } from '../../support/upstream-proxy.ts';
import { contentEvent, finishEvent } from './sse.ts';

const userText = userTextIn('en');

const MODEL = 'gemini-2.5-pro';

let harness: DiscordBotHarness | undefined;
let proxy: UpstreamProxy | undefined;
afterEach(async () => {
  await harness?.stop();
  await proxy?.close();
  harness = undefined;
  proxy = undefined;
});

async function ask(h: DiscordBotHarness, content: string): Promise<string> {
  const message = h.discord.sendMessage({ content: `<@${h.discord.world.bot.id}> ${content}` });
  const thread = await h.discord.waitUntil(() => h.discord.threads().find((t) => t.id === message.id));
  return thread.id;
}

/** A follow-up in the bot's thread (no mention needed there). */
function followUp(h: DiscordBotHarness, threadId: string, content: string): void {
  h.discord.sendMessage({ content, channelId: threadId });
}

/** The thread's stored history, once every turn in progress has ended (history is written after the last edit). */
async function history(h: DiscordBotHarness, threadId: string) {
  await h.bot.core.drain(60_000);
  return new HistoryStore(h.bot.store.keyv('history')).load(`discord:${h.discord.world.guildId}:${threadId}`);
}

/** What the model was sent in request `n`, after the system prompt, as role and text. */
function sent(h: DiscordBotHarness, n: number) {
  return h.upstream.requests[n]?.body.messages.slice(1).map((m) => ({ role: m.role, text: textOf(m.content) }));
}

test('an upstream that dies mid-answer leaves the text so far with "cut off"; history keeps it as failed and the next question carries it', async () => {
  proxy = await startUpstreamProxy({ path: '/v1/gemini' });
  const h = (harness = await startDiscordBot({ env: { LLM_API_BASE: proxy.url } }));
  proxy.target = new URL(h.upstream.url).origin;
  h.upstream.script({ type: 'hang', pieces: [contentEvent('The first half of the story.')] });

  const threadId = await ask(h, 'tell me a long story');
  await h.discord.waitUntil(() => botMessages(h.discord, threadId).find((m) => m.content.includes('The first half')));
  expect(proxy.cut()).toBe(1);

  const [shown, ...more] = await finalAnswer(h.discord, threadId);
  expect(more).toEqual([]);
  expect(shown?.content).toBe(`The first half of the story.\n\n${userText.upstreamError('broken-stream', { model: MODEL, traceId: undefined })}`);
  // A broken stream that already showed text is not retried: the text would show twice.
  expect(h.upstream.requests).toHaveLength(1);
  expect((await history(h, threadId)).messages).toMatchObject([
    { role: 'user', text: 'tell me a long story' },
    { role: 'assistant', text: 'The first half of the story.', status: 'failed' },
  ]);

  followUp(h, threadId, 'go on');
  const answers = await finalAnswer(h.discord, threadId, 2);
  expect(answers[1]?.content).toBe(fixtureAnswer());
  expect(sent(h, 1)).toEqual([
    { role: 'user', text: 'tell me a long story' },
    { role: 'assistant', text: 'The first half of the story.' },
    { role: 'user', text: 'go on' },
  ]);
  const stored = (await history(h, threadId)).messages;
  expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(stored[3]).toMatchObject({ text: fixtureAnswer(), status: 'complete' });
});

test('a stream that simply stops before its finish reason is shown as cut off, not as an answer', async () => {
  const h = (harness = await startDiscordBot());
  h.upstream.script({ type: 'raw', pieces: [contentEvent('Only the beginning')] });
  const threadId = await ask(h, 'explain');
  const [shown] = await finalAnswer(h.discord, threadId);
  expect(shown?.content).toBe(`Only the beginning\n\n${userText.upstreamError('broken-stream', { model: MODEL, traceId: undefined })}`);
  expect((await history(h, threadId)).messages.at(-1)).toMatchObject({ text: 'Only the beginning', status: 'failed' });
});

test('more 429s than retries end in one clear "busy" message with the trace id, and the next question works', async () => {
  const h = (harness = await startDiscordBot({ env: { LLM_MAX_RETRIES: '2' } }));
  const busy = (traceId: string) => ({
    type: 'error' as const,
    status: 429,
    body: { success: false, error: { code: 'too_many_requests', message: 'Too many requests' }, trace_id: traceId },
    headers: { 'retry-after': '0' },
  });
  h.upstream.script(busy('trace-429-a'), busy('trace-429-b'), busy('trace-429-c'));

  const threadId = await ask(h, 'are you there?');
  const [shown, ...more] = await finalAnswer(h.discord, threadId);
  expect(more).toEqual([]);
  expect(shown?.content).toBe(userText.upstreamError('rate-limited', { model: MODEL, traceId: 'trace-429-c' }));
  expect(h.upstream.requests).toHaveLength(3);

  followUp(h, threadId, 'and now?');
  const answers = await finalAnswer(h.discord, threadId, 2);
  expect(answers.map((m) => m.content)).toEqual([shown?.content, fixtureAnswer()]);
  // The failed exchange showed no answer, so it is not sent again as context.
  expect(sent(h, 3)).toEqual([{ role: 'user', text: 'and now?' }]);
  expect((await history(h, threadId)).messages).toMatchObject([
    { role: 'user', text: 'are you there?' },
    { role: 'assistant', text: '', status: 'failed' },
    { role: 'user', text: 'and now?' },
    { role: 'assistant', text: fixtureAnswer(), status: 'complete' },
  ]);
});

test('a garbage event after some text ends the answer as cut off, and the bot keeps serving', async () => {
  const h = (harness = await startDiscordBot());
  h.upstream.script({
    type: 'raw',
    pieces: [contentEvent('Before the garbage.'), 'data: {"choices": [{"delta": {"content": oops\n\n', contentEvent('never shown'), finishEvent],
  });
  const threadId = await ask(h, 'first question');
  const [shown] = await finalAnswer(h.discord, threadId);
  expect(shown?.content).toBe(`Before the garbage.\n\n${userText.upstreamError('broken-stream', { model: MODEL, traceId: undefined })}`);

  const other = await ask(h, 'second question');
  const [answer] = await finalAnswer(h.discord, other);
  expect(answer?.content).toBe(fixtureAnswer());
  expect((await history(h, threadId)).messages.at(-1)).toMatchObject({ text: 'Before the garbage.', status: 'failed' });
  expect((await history(h, other)).messages).toHaveLength(2);
});

test('a garbage first event is retried before anything is shown, so the user sees one clean answer', async () => {
  const h = (harness = await startDiscordBot());
  h.upstream.script({ type: 'raw', pieces: ['data: <html>502 Bad Gateway</html>\n\n'] });
  const threadId = await ask(h, 'hello');
  const [shown, ...more] = await finalAnswer(h.discord, threadId);
  expect(more).toEqual([]);
  expect(shown?.content).toBe(fixtureAnswer());
  expect(h.upstream.requests).toHaveLength(2);
  expect((await history(h, threadId)).messages).toMatchObject([
    { role: 'user', text: 'hello' },
    { role: 'assistant', text: fixtureAnswer(), status: 'complete' },
  ]);
});
