/**
 * The core under daily token quotas: a question over a limit never goes upstream
 * and is kept as not answered; an answer already streaming when the limit is
 * crossed is shown whole; what each answer cost is counted after it ends.
 */
import Keyv from 'keyv';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { QuotaConfig } from '../../src/config.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { TurnGate } from '../../src/conversation/turn-gate.ts';
import type { AttachmentResolver, TurnRequest } from '../../src/conversation/types.ts';
import { ModelChoiceStore } from '../../src/history/model-choice.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { TokenQuotas } from '../../src/quota/token-quotas.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { InProcessLockManager } from '../../src/store/lock.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { UpstreamClient } from '../../src/upstream/client.ts';
import { answerTranscript, startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { textOf } from '../fakes/discord/read.ts';
import { RecordingSurface } from '../support/recording-surface.ts';

const none: AttachmentResolver = {
  resolve: async () => 'data:,',
  download: async () => ({ bytes: new Uint8Array(0), complete: true }),
};
/** The store keeps real time for expiry, so the quota day is one in the future (see token-quotas.test.ts). */
const NOON = Date.parse('2036-05-01T12:00:00Z');
/** What the provider's published stream reports as `total_tokens`. */
const FIXTURE_TOKENS = 535;

let upstream: FakeUpstream;
let store: Store;
beforeEach(async () => {
  upstream = await startFakeUpstream();
  store = await openStore('sqlite://:memory:');
});
afterEach(async () => {
  await upstream.close();
  await store.close();
});

/** A stream the test writes into, piece by piece, as a provider answering slowly. */
function controlledStream() {
  let push: (text: string) => void = () => undefined;
  let end: () => void = () => undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      push = (text) => controller.enqueue(new TextEncoder().encode(text));
      end = () => controller.close();
    },
  });
  return { body, push: (text: string) => push(text), end: () => end() };
}

function core(limits: Partial<QuotaConfig>, opts: { fetch?: typeof fetch } = {}) {
  const keyv = new Keyv();
  const clock = { now: NOON };
  const quotas = new TokenQuotas({
    counters: store.counters,
    limits: { userDailyTokens: 0, channelDailyTokens: 0, workspaceDailyTokens: 0, ...limits },
    timeZone: 'UTC',
    now: () => clock.now,
  });
  const service = new ConversationService({
    upstream: new UpstreamClient({ apiBase: upstream.url, apiKey: 'k', timeoutMs: 30_000, idleTimeoutMs: 30_000, maxRetries: 0, fetch: opts.fetch }),
    history: new HistoryStore(keyv),
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
    quotas,
    now: () => clock.now,
  });
  return { service, quotas, clock, history: new HistoryStore(keyv) };
}

let turns = 0;
const ask = (text: string, conversationId = 'conv-1'): TurnRequest => ({
  turnId: `turn-${++turns}`,
  conversationId,
  channelId: 'chan-1',
  author: { id: 'u1', name: 'Ada' },
  text,
  attachments: [],
  workspaceId: 'slack:T1',
});

test('a person over their daily limit is told so, nothing goes upstream, and the question waits in the conversation for the next day', async () => {
  const { service, clock, history } = core({ userDailyTokens: 500 });
  await service.answer(ask('first question'), { surface: new RecordingSurface(), attachments: none });
  expect(upstream.requests).toHaveLength(1);

  const surface = new RecordingSurface();
  const outcome = await service.answer(ask('second question'), { surface, attachments: none });
  expect(outcome).toEqual({ type: 'over-quota', scope: 'user' });
  expect(upstream.requests).toHaveLength(1);
  expect(surface.text()).toContain(`You have used ${FIXTURE_TOKENS} of your 500 tokens for today.`);
  expect(surface.text()).toContain('resets at 00:00 (UTC), in 12 h');
  expect((await history.load('conv-1')).messages.slice(-2)).toMatchObject([
    { role: 'user', text: 'second question' },
    { role: 'assistant', status: 'not-answered', reason: 'quota' },
  ]);

  // The next day the limit is lifted, and the model reads the question it could not answer.
  clock.now = Date.parse('2036-05-02T00:00:00Z');
  upstream.script({ type: 'answer', text: 'Both answered.' });
  await service.answer(ask('third question'), { surface: new RecordingSurface(), attachments: none });
  const sent = upstream.requests[1]?.body.messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)) ?? [];
  expect(sent.some((t) => t.includes('second question'))).toBe(true);
  expect(sent.at(-1)).toContain('third question');
});

test('an answer already streaming when another answer crosses the limit is shown whole; only the next question is refused', async () => {
  const slow = controlledStream();
  let calls = 0;
  const routed: typeof fetch = async (input, init) => {
    calls += 1;
    if (calls === 1) return new Response(slow.body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    return fetch(input, init);
  };
  const { service, quotas } = core({ userDailyTokens: 100 }, { fetch: routed });
  const pieces = answerTranscript({ type: 'answer', text: 'A long answer that keeps streaming after the limit is crossed.', chunkSize: 10 });

  const streaming = new RecordingSurface();
  const first = service.answer(ask('slow one', 'conv-a'), { surface: streaming, attachments: none });
  for (const piece of pieces.slice(0, 3)) slow.push(piece);
  await streaming.firstWrite();

  // Meanwhile the same person's question elsewhere is answered and spends 535 tokens: over the limit of 100.
  await service.answer(ask('quick one', 'conv-b'), { surface: new RecordingSurface(), attachments: none });
  expect(await quotas.check(ask('probe'))).toMatchObject({ scope: 'user', used: FIXTURE_TOKENS });

  for (const piece of pieces.slice(3)) slow.push(piece);
  slow.end();
  expect(await first).toEqual({ type: 'answered', finishReason: 'stop' });
  expect(streaming.text()).toBe('A long answer that keeps streaming after the limit is crossed.');

  const refused = new RecordingSurface();
  expect(await service.answer(ask('one more', 'conv-c'), { surface: refused, attachments: none })).toEqual({ type: 'over-quota', scope: 'user' });
  // The fixture's 535 and the streamed answer's 30 (its usage chunk) were both counted.
  expect(refused.text()).toContain(`You have used ${FIXTURE_TOKENS + 30} of your 100 tokens for today.`);
  expect(calls).toBe(2);
});

test('without limits every answer is still counted, for /usage', async () => {
  const { service, quotas } = core({});
  await service.answer(ask('q'), { surface: new RecordingSurface(), attachments: none });
  const today = await quotas.today({ userId: 'u1', channelId: 'chan-1', workspaceId: 'slack:T1' }, { withTop: true });
  expect(today.user).toEqual({ used: FIXTURE_TOKENS, limit: 0 });
  expect(today.workspace?.top).toEqual([{ member: 'u1', amount: FIXTURE_TOKENS }]);
});

test('Regenerate and an edited question go upstream as the asker: they count against the person and the workspace, and past a limit the previous answer stays with the limit below it', async () => {
  const { service, quotas, history } = core({ userDailyTokens: FIXTURE_TOKENS + 15 });
  const question = ask('q');
  const surface = new RecordingSurface();
  await service.answer(question, { surface, attachments: none });
  const again = { conversationId: question.conversationId, channelId: question.channelId, turnId: question.turnId, workspaceId: 'slack:T1' };

  // Under the limit (535 of 550): regenerated, and its 30 tokens counted.
  upstream.script({ type: 'answer', text: 'Another answer.' });
  expect(await service.regenerate(again, { surface, attachments: none })).toMatchObject({ type: 'regenerated', outcome: { type: 'answered' } });
  const today = await quotas.today({ userId: 'u1', channelId: 'chan-1', workspaceId: 'slack:T1' }, { withTop: true });
  expect(today.user.used).toBe(FIXTURE_TOKENS + 30);
  expect(today.workspace?.top).toEqual([{ member: 'u1', amount: FIXTURE_TOKENS + 30 }]);

  // Now over it: the edited question is not sent, the previous answer stays and says why.
  const outcome = await service.followEdit({ ...again, text: 'q, edited' }, { surface, attachments: none });
  expect(outcome).toEqual({ type: 'regenerated', outcome: { type: 'over-quota', scope: 'user' } });
  expect(upstream.requests).toHaveLength(2);
  const shown = surface.text();
  expect(shown).toContain('Another answer.');
  expect(shown).toContain(`You have used ${FIXTURE_TOKENS + 30} of your ${FIXTURE_TOKENS + 15} tokens for today.`);
  expect((await history.load('conv-1')).messages.map((m) => m.text)).toEqual(['q', 'Another answer.']);
});
