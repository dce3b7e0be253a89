/**
 * Two instances on one Redis answer in the same conversation, and the first one's
 * turn lock dies mid-answer: Redis is frozen (SIGSTOP) for longer than the lock's
 * ttl, so the key expires under the holder while it cannot renew it. The holder
 * must stop and say so, and neither instance's exchange may overwrite the other's.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { ConversationService } from '../../src/conversation/service.ts';
import { TurnGate } from '../../src/conversation/turn-gate.ts';
import type { AttachmentResolver, TurnRequest } from '../../src/conversation/types.ts';
import { ModelChoiceStore } from '../../src/history/model-choice.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { UpstreamClient } from '../../src/upstream/client.ts';
import { userTextIn } from '../../src/user-text.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { describeRedis, type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { RecordingSurface } from '../support/recording-surface.ts';

const userText = userTextIn('en');

const MODELS = ['gemini-2.5-pro'];
const LOCK_TTL_MS = 600;
const urls: AttachmentResolver = { resolve: async (a) => a.url ?? '', download: async () => ({ bytes: new Uint8Array(0), complete: true }) };

const ask = (turnId: string, text: string): TurnRequest => ({
  turnId,
  conversationId: 'slack:T1:C1:1700000000.000100',
  channelId: 'slack:T1:C1',
  author: { id: `U-${turnId}`, name: turnId },
  text,
  attachments: [],
});

describeRedis('a turn whose lock expires mid-answer', () => {
  let redis: RedisServer;
  let upstream: FakeUpstream;
  const stores: Store[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    redis.resume();
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await upstream?.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** One bot instance: its own Redis connection, lock manager and history writer. */
  async function instance(): Promise<{ core: ConversationService; history: HistoryStore }> {
    const store = await openStore(redis.url, { commandTimeoutMs: 150, maxReconnectDelayMs: 50 });
    stores.push(store);
    const history = new HistoryStore(store.keyv('history'), { records: store.records('history') });
    const core = new ConversationService({
      upstream: new UpstreamClient({ apiBase: upstream.url, apiKey: 'k', timeoutMs: 30_000, idleTimeoutMs: 30_000, maxRetries: 0 }),
      history,
      modelChoice: new ModelChoiceStore(store.keyv('settings'), MODELS, 'gemini-2.5-pro'),
      gate: new TurnGate(store.locks, 3, { lockTtlMs: LOCK_TTL_MS }),
      scheduler: new WriteScheduler(),
      logger: pino({ level: 'silent' }),
      models: MODELS,
      systemPrompt: '',
      limits: { maxMessages: 50, maxChars: 100_000, mediaTurns: 3 },
      attachmentMaxBytes: 1024,
      reasoningDisplay: 'status',
      usageFooter: false,
      historyWriter: { retryBaseMs: 100 },
    });
    return { core, history };
  }

  test('the holder stops and says so, and both its exchange and the next holder’s survive in history', async () => {
    upstream = await startFakeUpstream();
    upstream.script(
      { type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"The first half of A"}}]}\n\n'] },
      { type: 'answer', text: 'B answered in full.' },
    );
    const a = await instance();
    const b = await instance();

    const surfaceA = new RecordingSurface();
    const answeringA = a.core.answer(ask('A', 'question A'), { surface: surfaceA, attachments: urls });
    await vi.waitFor(() => expect(surfaceA.text()).toContain('The first half of A'));

    // Frozen, Redis answers nobody, yet its clock runs: A's lock expires while A cannot renew it.
    redis.pause();
    try {
      await vi.waitFor(() => expect(surfaceA.text()).toContain(userText.interruptedLockLost), { timeout: 10_000 });
    } finally {
      redis.resume();
    }
    expect(surfaceA.text()).toBe(`The first half of A\n\n${userText.interruptedLockLost}`);

    // B, on the other instance, gets the conversation now that A's lock is gone.
    const surfaceB = new RecordingSurface();
    expect(await b.core.answer(ask('B', 'question B'), { surface: surfaceB, attachments: urls })).toEqual({ type: 'answered', finishReason: 'stop' });
    expect(surfaceB.text()).toBe('B answered in full.');
    // A stores its exchange once Redis answers again (it retried while Redis was frozen).
    expect(await answeringA).toEqual({ type: 'failed', kind: 'lock-lost' });

    const { messages } = await b.history.load('slack:T1:C1:1700000000.000100');
    expect(messages.map((m) => (m.role === 'assistant' ? [m.text, m.status] : [m.text]))).toEqual([
      ['question A'],
      ['The first half of A', 'interrupted'],
      ['question B'],
      ['B answered in full.', 'complete'],
    ]);
  });
});
