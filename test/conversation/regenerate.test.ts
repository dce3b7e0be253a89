/**
 * Writing the newest answer again through the core: Regenerate, a question its
 * author edited, and 👍/👎 stored with the answer. What the user sees is a
 * RecordingSurface; what the model was sent, the fake upstream's requests.
 */
import Keyv from 'keyv';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConversationService, type FeedbackFacts } from '../../src/conversation/service.ts';
import { TurnGate } from '../../src/conversation/turn-gate.ts';
import type { AttachmentResolver, TurnRequest } from '../../src/conversation/types.ts';
import { ModelChoiceStore } from '../../src/history/model-choice.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { InProcessLockManager } from '../../src/store/lock.ts';
import { UpstreamClient } from '../../src/upstream/client.ts';
import { userTextIn } from '../../src/user-text.ts';
import { textOf } from '../fakes/discord/read.ts';
import { answerTranscript, startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { RecordingSurface } from '../support/recording-surface.ts';

const userText = userTextIn('en');

const files: AttachmentResolver = {
  resolve: async (a) => a.url ?? `https://files.test/${a.ref}`,
  download: async () => ({ bytes: new Uint8Array(0), complete: true }),
};

let upstream: FakeUpstream;
let clock = 1_750_000_000_000;
beforeEach(async () => {
  upstream = await startFakeUpstream();
  clock = 1_750_000_000_000;
});
afterEach(async () => {
  await upstream.close();
});

function setup() {
  const keyv = new Keyv();
  const history = new HistoryStore(keyv);
  const votes: FeedbackFacts[] = [];
  const core = new ConversationService({
    upstream: new UpstreamClient({ apiBase: upstream.url, apiKey: 'k', timeoutMs: 30_000, idleTimeoutMs: 30_000, maxRetries: 0 }),
    history,
    modelChoice: new ModelChoiceStore(keyv, ['m'], 'm'),
    gate: new TurnGate(new InProcessLockManager(), 3),
    scheduler: new WriteScheduler(),
    logger: pino({ level: 'silent' }),
    models: ['m'],
    systemPrompt: 'Be brief.',
    limits: { maxMessages: 50, maxChars: 100_000, mediaTurns: 3 },
    attachmentMaxBytes: 1024 * 1024,
    reasoningDisplay: 'status',
    usageFooter: false,
    now: () => clock,
    editFollowMs: 10 * 60_000,
    onFeedback: (facts) => votes.push(facts),
  });
  return { core, history, votes };
}

let turns = 0;
const ask = (text: string): TurnRequest => ({
  turnId: `turn-${++turns}`,
  conversationId: 'conv-1',
  channelId: 'chan-1',
  author: { id: 'u1', name: 'Ada' },
  text,
  attachments: [],
});
const target = (request: TurnRequest) => ({ conversationId: request.conversationId, channelId: request.channelId, turnId: request.turnId });
const stored = async (history: HistoryStore) => (await history.load('conv-1')).messages.map((m) => [m.role, m.text]);
const sent = (n: number) => upstream.requests[n]?.body.messages.map((m) => [m.role, textOf(m.content)]);

/** Two exchanges, each answered into its own surface (as a platform shows each answer in its own messages). */
async function twoAnswers(core: ConversationService) {
  const first = ask('first question');
  const second = ask('second question');
  const surfaces = [new RecordingSurface(), new RecordingSurface()] as const;
  upstream.script({ type: 'answer', text: 'First answer.' }, { type: 'answer', text: 'Second answer.' });
  await core.answer(first, { surface: surfaces[0], attachments: files });
  await core.answer(second, { surface: surfaces[1], attachments: files });
  return { first, second, surfaces };
}

describe('regenerate', () => {
  test('the same question goes upstream with the history before it; the answer is rewritten in place and replaces the old one in history', async () => {
    const { core, history } = setup();
    const { second, surfaces } = await twoAnswers(core);
    upstream.script({ type: 'answer', text: 'A better second answer.' });
    const outcome = await core.regenerate(target(second), { surface: surfaces[1], attachments: files });

    expect(outcome).toEqual({ type: 'regenerated', outcome: { type: 'answered', finishReason: 'stop' } });
    expect(sent(2)).toEqual(sent(1));
    expect(surfaces[1].shown().map((m) => [m.text, m.state, m.last])).toEqual([['A better second answer.', 'final', true]]);
    expect(surfaces[1].messages).toHaveLength(1);
    expect(await stored(history)).toEqual([
      ['user', 'first question'],
      ['assistant', 'First answer.'],
      ['user', 'second question'],
      ['assistant', 'A better second answer.'],
    ]);
  });

  test('an older answer is not regenerated: nothing is written and nothing goes upstream', async () => {
    const { core, history } = setup();
    const { first, surfaces } = await twoAnswers(core);
    const before = await stored(history);
    expect(await core.regenerate(target(first), { surface: surfaces[0], attachments: files })).toEqual({ type: 'not-newest' });
    expect(await core.regenerate({ ...target(first), turnId: 'never-asked' }, { surface: surfaces[0], attachments: files })).toEqual({ type: 'unknown' });
    expect(upstream.requests).toHaveLength(2);
    expect(surfaces[0].shown().map((m) => m.text)).toEqual(['First answer.']);
    expect(await stored(history)).toEqual(before);
  });

  test('a regeneration that fails puts the previous answer back with the error below it, and history keeps it', async () => {
    const { core, history } = setup();
    const { second, surfaces } = await twoAnswers(core);
    upstream.script({ type: 'error', status: 429, body: { success: false, error: { code: 'rate_limited', message: 'slow down' }, trace_id: 't-1' } });
    const outcome = await core.regenerate(target(second), { surface: surfaces[1], attachments: files });

    expect(outcome).toMatchObject({ type: 'regenerated', outcome: { type: 'failed', kind: 'rate-limited' } });
    const [shown] = surfaces[1].shown();
    const error = userText.upstreamError('rate-limited', { model: 'm', traceId: 't-1' });
    expect(shown?.text).toBe(`Second answer.\n\n${userText.regenerateKeptPrevious(error)}`);
    expect(await stored(history)).toEqual([
      ['user', 'first question'],
      ['assistant', 'First answer.'],
      ['user', 'second question'],
      ['assistant', 'Second answer.'],
    ]);
  });

  test('an answer split across messages, regenerated into a shorter one, keeps its first message and deletes the rest', async () => {
    const { core, history } = setup();
    const surface = new RecordingSurface({ maxMessageLength: 300 });
    const question = ask('tell me a lot');
    upstream.script({ type: 'answer', text: Array.from({ length: 25 }, (_, i) => `Sentence number ${i} says something.`).join(' ') });
    await core.answer(question, { surface, attachments: files });
    expect(surface.shown().length).toBeGreaterThan(2);

    upstream.script({ type: 'answer', text: 'In short: not much.' });
    await core.regenerate(target(question), { surface, attachments: files });
    expect(surface.shown().map((m) => m.text)).toEqual(['In short: not much.']);
    expect(surface.messages[0]?.text).toBe('In short: not much.');
    expect(surface.messages.slice(1).every((m) => m.deleted)).toBe(true);
    const answer = (await history.load('conv-1')).messages.at(-1);
    expect(answer?.role === 'assistant' && answer.shownIn).toEqual(['0']);
  });
});

describe('an edited question', () => {
  test('an edit of the newest question answers again from the new text, and history holds the edited question', async () => {
    const { core, history } = setup();
    const { second, surfaces } = await twoAnswers(core);
    clock += 60_000;
    upstream.script({ type: 'answer', text: 'Answer to the fixed question.' });
    const outcome = await core.followEdit({ ...target(second), text: 'second question, fixed' }, { surface: surfaces[1], attachments: files });

    expect(outcome.type).toBe('regenerated');
    expect(sent(2)?.at(-1)).toEqual(['user', 'second question, fixed']);
    expect(surfaces[1].shown().map((m) => m.text)).toEqual(['Answer to the fixed question.']);
    expect(await stored(history)).toEqual([
      ['user', 'first question'],
      ['assistant', 'First answer.'],
      ['user', 'second question, fixed'],
      ['assistant', 'Answer to the fixed question.'],
    ]);
  });

  test('an edit of an older question, one that keeps the text, or one made too late changes nothing', async () => {
    const { core, history } = setup();
    const { first, second, surfaces } = await twoAnswers(core);
    const io = { surface: surfaces[1], attachments: files };
    expect(await core.followEdit({ ...target(first), text: 'first, edited' }, io)).toEqual({ type: 'not-newest' });
    expect(await core.followEdit({ ...target(second), text: 'second question' }, io)).toEqual({ type: 'unchanged' });
    expect(await core.followEdit({ ...target({ ...second, turnId: 'a-message-never-asked' }), text: 'hello' }, io)).toEqual({ type: 'unknown' });
    clock += 10 * 60_000 + 1;
    expect(await core.followEdit({ ...target(second), text: 'second, edited late' }, io)).toEqual({ type: 'too-late' });
    expect(upstream.requests).toHaveLength(2);
    expect(await stored(history)).toContainEqual(['user', 'second question']);
  });

  test('an edit while the first answer still streams stops it and answers the edited question instead', async () => {
    const { core, history } = setup();
    const surface = new RecordingSurface();
    const question = ask('wat is a monad');
    upstream.script({ type: 'hang', pieces: answerTranscript({ type: 'answer', text: 'A monad is', chunkSize: 100 }).slice(0, 2) });
    const first = core.answer(question, { surface, attachments: files });
    await surface.firstWrite();
    // An unfurl or embed added meanwhile is no edit.
    expect(await core.followEdit({ ...target(question), text: 'wat is a monad' }, { surface, attachments: files })).toEqual({ type: 'unchanged' });

    upstream.script({ type: 'answer', text: 'A monad is a pattern.' });
    const outcome = await core.followEdit({ ...target(question), text: 'what is a monad' }, { surface, attachments: files });
    expect((await first).type).toBe('stopped');
    expect(outcome.type).toBe('regenerated');
    expect(sent(1)?.at(-1)).toEqual(['user', 'what is a monad']);
    expect(surface.shown().map((m) => m.text)).toEqual(['A monad is a pattern.']);
    expect(await stored(history)).toEqual([
      ['user', 'what is a monad'],
      ['assistant', 'A monad is a pattern.'],
    ]);
  });
});

describe('feedback', () => {
  test('a vote is stored with the answer and counted once; a second press by the same person changes it', async () => {
    const { core, history, votes } = setup();
    const { second } = await twoAnswers(core);
    const vote = { conversationId: 'conv-1', turnId: second.turnId, userId: 'u7', rating: 'up' as const };
    expect(await core.rate(vote)).toEqual({ type: 'recorded', change: 'new' });
    expect(await core.rate(vote)).toEqual({ type: 'recorded', change: 'same' });
    expect(await core.rate({ ...vote, rating: 'down' })).toEqual({ type: 'recorded', change: 'changed' });
    expect(votes).toEqual([
      { model: 'm', rating: 'up', previous: undefined },
      { model: 'm', rating: 'down', previous: 'up' },
    ]);
    const answer = (await history.load('conv-1')).messages.at(-1);
    expect(answer?.role === 'assistant' && answer.feedback).toEqual({ u7: 'down' });
  });

  test('a vote on an answer history no longer holds is not recorded', async () => {
    const { core, votes } = setup();
    const { second } = await twoAnswers(core);
    await core.reset('conv-1');
    expect(await core.rate({ conversationId: 'conv-1', turnId: second.turnId, userId: 'u7', rating: 'up' })).toEqual({ type: 'unknown' });
    expect(votes).toEqual([]);
  });

  test('a regenerated answer starts without the votes the old one had', async () => {
    const { core, history } = setup();
    const { second, surfaces } = await twoAnswers(core);
    await core.rate({ conversationId: 'conv-1', turnId: second.turnId, userId: 'u7', rating: 'down' });
    upstream.script({ type: 'answer', text: 'Better.' });
    await core.regenerate(target(second), { surface: surfaces[1], attachments: files });
    const answer = (await history.load('conv-1')).messages.at(-1);
    expect(answer?.role === 'assistant' && answer.feedback).toBeUndefined();
  });
});
