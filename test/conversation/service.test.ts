import Keyv from 'keyv';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { AttachmentResolver, TurnRequest } from '../../src/conversation/types.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { TurnGate } from '../../src/conversation/turn-gate.ts';
import { ModelChoiceStore } from '../../src/history/model-choice.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import type { HistoryWriterOptions } from '../../src/conversation/history-writer.ts';
import { InProcessLockManager, type Lock, type LockManager, LockLostError } from '../../src/store/lock.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { UpstreamClient } from '../../src/upstream/client.ts';
import { userTextIn } from '../../src/user-text.ts';
import { fixtureAnswer, startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { flakyKeyv } from '../support/flaky-keyv.ts';
import { RecordingSurface } from '../support/recording-surface.ts';

const userText = userTextIn('en');

const MODELS = ['gemini-2.5-pro', 'gemini-3.1-pro'];
/** Files the resolver below serves by ref, for documents. */
const files = new Map<string, Uint8Array>();
const urls: AttachmentResolver = {
  resolve: async (a) => a.url ?? `https://files.test/${a.ref}`,
  download: async (a, { maxBytes }) => {
    const bytes = files.get(a.ref) ?? new Uint8Array(0);
    return { bytes: bytes.subarray(0, maxBytes), complete: bytes.byteLength <= maxBytes };
  },
};

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

function service(opts: { keyv?: Keyv; turnQueueMax?: number; locks?: LockManager; historyWriter?: HistoryWriterOptions } = {}) {
  const keyv = opts.keyv ?? new Keyv();
  const history = new HistoryStore(keyv);
  const core = new ConversationService({
    upstream: new UpstreamClient({ apiBase: upstream.url, apiKey: 'k', timeoutMs: 30_000, idleTimeoutMs: 30_000, maxRetries: 0 }),
    history,
    modelChoice: new ModelChoiceStore(keyv, MODELS, MODELS[0] ?? ''),
    gate: new TurnGate(opts.locks ?? new InProcessLockManager(), opts.turnQueueMax ?? 3),
    historyWriter: opts.historyWriter,
    scheduler: new WriteScheduler(),
    logger: pino({ level: 'silent' }),
    models: MODELS,
    systemPrompt: 'Be brief.',
    limits: { maxMessages: 50, maxChars: 100_000, mediaTurns: 3 },
    attachmentMaxBytes: 1024 * 1024,
    reasoningDisplay: 'status',
    usageFooter: false,
  });
  return { core, history };
}

let turns = 0;
const ask = (text: string, extra: Partial<TurnRequest> = {}): TurnRequest => ({
  turnId: `turn-${++turns}`,
  conversationId: 'conv-1',
  channelId: 'chan-1',
  author: { id: 'u1', name: 'Ada' },
  text,
  attachments: [],
  ...extra,
});

describe('answering', () => {
  test('the answer streams into the surface and both sides are stored', async () => {
    const { core, history } = service();
    const surface = new RecordingSurface();
    const outcome = await core.answer(ask('Hello,What model are you?'), { surface, attachments: urls });
    expect(outcome).toEqual({ type: 'answered', finishReason: 'stop' });
    expect(surface.text()).toBe(fixtureAnswer());
    expect(surface.messages.every((m) => m.state === 'final')).toBe(true);
    const stored = (await history.load('conv-1')).messages;
    expect(stored.map((m) => [m.role, m.text])).toEqual([
      ['user', 'Hello,What model are you?'],
      ['assistant', fixtureAnswer()],
    ]);
  });

  test('a stopped answer keeps what was written, says it was stopped and is stored as stopped', async () => {
    const { core, history } = service();
    upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"The first half"}}]}\n\n'] });
    const surface = new RecordingSurface();
    const request = ask('long question');
    const answering = core.answer(request, { surface, attachments: urls });
    await surface.firstWrite();
    expect(core.stop(request.turnId)).toBe(true);
    expect(await answering).toEqual({ type: 'stopped' });
    expect(surface.text()).toContain('The first half');
    expect(surface.text()).toContain(userText.stopped);
    expect((await history.load('conv-1')).messages.at(-1)).toMatchObject({ role: 'assistant', text: 'The first half', status: 'stopped' });
  });

  test('an answer cut at the length limit says so', async () => {
    const { core } = service();
    upstream.script({ type: 'answer', text: 'Partial answer', finishReason: 'length' });
    const surface = new RecordingSurface();
    await core.answer(ask('q'), { surface, attachments: urls });
    expect(surface.text()).toContain('Partial answer');
    expect(surface.text()).toContain(userText.cutAtLength);
  });

  test('an answer with no text at all says so instead of leaving the thinking status up', async () => {
    const { core } = service();
    upstream.script({ type: 'answer', text: '', reasoning: 'I thought hard.' });
    const surface = new RecordingSurface();
    await core.answer(ask('q'), { surface, attachments: urls });
    expect(surface.text()).toBe(userText.emptyAnswer);
  });

  test('an upstream failure shows the error with its trace id and keeps the history truthful', async () => {
    const { core, history } = service();
    upstream.script({ type: 'error', status: 500, body: { success: false, error: { code: 'api_error', message: 'fetch failed' }, trace_id: 'trace-500' } });
    const surface = new RecordingSurface();
    const outcome = await core.answer(ask('q'), { surface, attachments: urls });
    expect(outcome).toEqual({ type: 'failed', kind: 'unavailable' });
    expect(surface.text()).toContain('trace-500');
    expect((await history.load('conv-1')).messages.at(-1)).toMatchObject({ role: 'assistant', text: '', status: 'failed' });
  });

  test('a follow-up sends the earlier exchange; a failed exchange is not sent again', async () => {
    const { core } = service();
    upstream.script({ type: 'error', status: 400, body: { success: false, error: { code: 'token_mismatched', message: 'bad' }, trace_id: 't' } });
    await core.answer(ask('broken question'), { surface: new RecordingSurface(), attachments: urls });
    await core.answer(ask('first'), { surface: new RecordingSurface(), attachments: urls });
    await core.answer(ask('second'), { surface: new RecordingSurface(), attachments: urls });
    expect(upstream.requests[2]?.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: fixtureAnswer() },
      { role: 'user', content: 'second' },
    ]);
  });

  test('images and videos go as image_url parts; an unsupported file is named and the text still answered', async () => {
    const { core } = service();
    const surface = new RecordingSurface();
    await core.answer(
      ask('what is this?', {
        attachments: [
          { ref: 'a1', name: 'cat.png', contentType: 'image/png', size: 1000, url: 'https://cdn.test/cat.png' },
          { ref: 'a2', name: 'clip.mp4', contentType: 'video/mp4', size: 2000, url: 'https://cdn.test/clip.mp4' },
          { ref: 'a3', name: 'notes.zip', contentType: 'application/zip', size: 10, url: 'https://cdn.test/notes.zip' },
          { ref: 'a4', name: 'huge.mp4', contentType: 'video/mp4', size: 50 * 1024 * 1024, url: 'https://cdn.test/huge.mp4' },
        ],
      }),
      { surface, attachments: urls },
    );
    expect(upstream.requests[0]?.body.messages.at(-1)?.content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'https://cdn.test/cat.png' } },
      { type: 'image_url', image_url: { url: 'https://cdn.test/clip.mp4' } },
    ]);
    expect(surface.text()).toContain('**notes.zip**');
    expect(surface.text()).toContain('**huge.mp4**');
    expect(surface.text()).toContain('1 MB limit');
    expect(surface.text()).toContain(fixtureAnswer());
  });

  test('the model chosen for a conversation, or its channel, is the one requested', async () => {
    const { core } = service();
    expect(await core.setModel({ channelId: 'chan-1' }, 'gemini-3.1-pro', 'en')).toEqual({ ok: true, model: 'gemini-3.1-pro' });
    await core.answer(ask('q'), { surface: new RecordingSurface(), attachments: urls });
    expect(await core.setModel({ conversationId: 'conv-1' }, 'gemini-2.5-pro', 'en')).toEqual({ ok: true, model: 'gemini-2.5-pro' });
    await core.answer(ask('q'), { surface: new RecordingSurface(), attachments: urls });
    expect(upstream.requests.map((r) => r.body.model)).toEqual(['gemini-3.1-pro', 'gemini-2.5-pro']);
    const refused = await core.setModel({ conversationId: 'conv-1' }, 'gpt-4', 'en');
    expect(refused.ok).toBe(false);
  });

  test('a store outage gives a clear message instead of a crash', async () => {
    const broken = new Keyv({
      store: {
        get: async () => {
          throw new StoreError('unavailable', 'get', 'redis is down');
        },
        set: async () => undefined,
        delete: async () => true,
        clear: async () => undefined,
      },
      throwOnErrors: true,
    });
    const { core } = service({ keyv: broken });
    const surface = new RecordingSurface();
    const outcome = await core.answer(ask('q'), { surface, attachments: urls });
    expect(outcome).toEqual({ type: 'failed', kind: 'store' });
    expect(surface.text()).toBe(userText.storeUnavailable);
  });
});

describe('shutdown', () => {
  test('answers still streaming at the deadline end with a visible marker and are stored as interrupted', async () => {
    const { core, history } = service();
    upstream.script(
      { type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Half an answer"}}]}\n\n'] },
      { type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Another half"}}]}\n\n'] },
    );
    const surfaces = [new RecordingSurface(), new RecordingSurface()];
    const answers = surfaces.map((surface, i) => core.answer(ask(`q${i}`, { conversationId: `c${i}` }), { surface, attachments: urls }));
    await Promise.all(surfaces.map((s) => s.firstWrite()));
    await core.drain(0);
    expect(await Promise.all(answers)).toEqual([{ type: 'stopped' }, { type: 'stopped' }]);
    for (const surface of surfaces) {
      expect(surface.text()).toContain(userText.interruptedByShutdown);
      expect(surface.messages.every((m) => m.state === 'final')).toBe(true);
    }
    expect((await history.load('c0')).messages.at(-1)).toMatchObject({ text: 'Half an answer', status: 'interrupted' });
  });

  test('answers that finish within the grace period finish normally', async () => {
    const { core } = service();
    const surface = new RecordingSurface();
    const answer = core.answer(ask('q'), { surface, attachments: urls });
    await core.drain(60_000);
    expect(await answer).toEqual({ type: 'answered', finishReason: 'stop' });
    expect(surface.text()).toBe(fixtureAnswer());
  });
});

describe('one turn at a time', () => {
  test('a second message in the same conversation waits and then sees the first exchange', async () => {
    const { core } = service();
    upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"one"}}]}\n\n'] });
    const first = ask('first');
    const firstSurface = new RecordingSurface();
    const answeringFirst = core.answer(first, { surface: firstSurface, attachments: urls });
    await firstSurface.firstWrite();
    const answeringSecond = core.answer(ask('second'), { surface: new RecordingSurface(), attachments: urls });
    expect(upstream.requests).toHaveLength(1);
    core.stop(first.turnId);
    await Promise.all([answeringFirst, answeringSecond]);
    expect(upstream.requests[1]?.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'one' },
      { role: 'user', content: 'second' },
    ]);
  });

  test('other conversations are not delayed', async () => {
    const { core } = service();
    upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"slow"}}]}\n\n'] });
    const slow = ask('slow one');
    const slowSurface = new RecordingSurface();
    const answeringSlow = core.answer(slow, { surface: slowSurface, attachments: urls });
    await slowSurface.firstWrite();
    const other = new RecordingSurface();
    await core.answer(ask('quick', { conversationId: 'conv-2' }), { surface: other, attachments: urls });
    expect(other.text()).toBe(fixtureAnswer());
    core.stop(slow.turnId);
    await answeringSlow;
  });

  test('past the queue bound a message is answered as busy', async () => {
    const { core } = service({ turnQueueMax: 0 });
    upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"busy"}}]}\n\n'] });
    const first = ask('first');
    const firstSurface = new RecordingSurface();
    const answeringFirst = core.answer(first, { surface: firstSurface, attachments: urls });
    await firstSurface.firstWrite();
    const second = new RecordingSurface();
    expect(await core.answer(ask('second'), { surface: second, attachments: urls })).toEqual({ type: 'busy' });
    expect(second.text()).toBe(userText.busy);
    core.stop(first.turnId);
    await answeringFirst;
  });
});

/** Locks a test can take away from their holder, as an expired Redis lock is. */
class LosableLocks implements LockManager {
  readonly held: AbortController[] = [];
  async acquire(): Promise<Lock> {
    const lost = new AbortController();
    this.held.push(lost);
    return { lost: false, signal: lost.signal, release: async () => undefined };
  }
}

const roles = (messages: { role: string; content: unknown }[] | undefined) => messages?.slice(1).map((m) => [m.role, m.content]);

describe('nothing lost', () => {
  test('a message turned away as busy is kept as not answered, and the next question carries it in order', async () => {
    const { core, history } = service({ turnQueueMax: 0 });
    upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"one"}}]}\n\n'] });
    const first = ask('first');
    const firstSurface = new RecordingSurface();
    const answeringFirst = core.answer(first, { surface: firstSurface, attachments: urls });
    await firstSurface.firstWrite();
    const busy = new RecordingSurface();
    expect(await core.answer(ask('second'), { surface: busy, attachments: urls })).toEqual({ type: 'busy' });
    expect(busy.text()).toBe(userText.busy);
    core.stop(first.turnId);
    await answeringFirst;

    await core.answer(ask('third'), { surface: new RecordingSurface(), attachments: urls });
    expect(roles(upstream.requests[1]?.body.messages)).toEqual([
      ['user', 'first'],
      ['assistant', 'one'],
      ['user', 'second'],
      ['user', 'third'],
    ]);
    expect((await history.load('conv-1')).messages.slice(2, 4)).toMatchObject([
      { role: 'user', text: 'second' },
      { role: 'assistant', text: '', status: 'not-answered', reason: 'busy' },
    ]);
  });

  test('a message that comes while the store is down is kept, and once the store is back the next question carries it', async () => {
    const store = flakyKeyv();
    const { core, history } = service({ keyv: store.keyv });
    store.down = true;
    const refused = new RecordingSurface();
    expect(await core.answer(ask('asked during the outage'), { surface: refused, attachments: urls })).toEqual({ type: 'failed', kind: 'store' });
    expect(refused.text()).toBe(userText.storeUnavailable);
    expect(upstream.requests).toHaveLength(0);

    store.down = false;
    await core.answer(ask('asked once it was back'), { surface: new RecordingSurface(), attachments: urls });
    expect(roles(upstream.requests[0]?.body.messages)).toEqual([
      ['user', 'asked during the outage'],
      ['user', 'asked once it was back'],
    ]);
    expect((await history.load('conv-1')).messages.map((m) => (m.role === 'assistant' ? m.status : m.text))).toEqual([
      'asked during the outage',
      'not-answered',
      'asked once it was back',
      'complete',
    ]);
  });

  test('a question kept during an outage is stored by itself once the store answers again', async () => {
    const store = flakyKeyv();
    const { core, history } = service({ keyv: store.keyv, historyWriter: { flushEveryMs: 10 } });
    store.down = true;
    await core.answer(ask('asked during the outage'), { surface: new RecordingSurface(), attachments: urls });
    expect(core.pendingExchanges).toBe(1);
    store.down = false;
    await vi.waitFor(async () => expect((await history.load('conv-1')).messages.map((m) => m.text)).toEqual(['asked during the outage', '']));
    expect(core.pendingExchanges).toBe(0);
  });

  test('an answer the store could not take for longer than the retries is stored once the store is back', async () => {
    const store = flakyKeyv();
    const { core, history } = service({ keyv: store.keyv, historyWriter: { retryBaseMs: 1 } });
    const surface = new RecordingSurface();
    void surface.firstWrite().then(() => (store.down = true));
    expect(await core.answer(ask('first'), { surface, attachments: urls })).toEqual({ type: 'answered', finishReason: 'stop' });
    expect(core.pendingExchanges).toBe(1);

    store.down = false;
    await core.answer(ask('second'), { surface: new RecordingSurface(), attachments: urls });
    expect(roles(upstream.requests[1]?.body.messages)).toEqual([
      ['user', 'first'],
      ['assistant', fixtureAnswer()],
      ['user', 'second'],
    ]);
    expect((await history.load('conv-1')).messages).toHaveLength(4);
  });

  test('storeUnanswered keeps a question an adapter turned away, for the next question to carry', async () => {
    const { core } = service();
    await core.storeUnanswered(ask('a follow-up while the store was down'), 'store-unavailable');
    await core.answer(ask('and now?'), { surface: new RecordingSurface(), attachments: urls });
    expect(roles(upstream.requests[0]?.body.messages)).toEqual([
      ['user', 'a follow-up while the store was down'],
      ['user', 'and now?'],
    ]);
  });

  test('a turn that loses its conversation lock stops at once, says so, and is stored as interrupted', async () => {
    const locks = new LosableLocks();
    const { core, history } = service({ locks });
    upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Half an answer"}}]}\n\n'] });
    const surface = new RecordingSurface();
    const answering = core.answer(ask('q'), { surface, attachments: urls });
    await surface.firstWrite();
    locks.held[0]?.abort(new LockLostError('turn:conv-1', 'the lock expired'));
    expect(await answering).toEqual({ type: 'failed', kind: 'lock-lost' });
    expect(surface.text()).toBe(`Half an answer\n\n${userText.interruptedLockLost}`);
    expect(surface.messages.every((m) => m.state === 'final')).toBe(true);
    expect((await history.load('conv-1')).messages.at(-1)).toMatchObject({ role: 'assistant', text: 'Half an answer', status: 'interrupted' });
  });
});
