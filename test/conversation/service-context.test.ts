/**
 * The core with what it reads around a turn: earlier platform messages stored
 * once, forgotten after a reset; personas set, shown, refused when too long,
 * and used as the system prompt with placeholders filled.
 */
import Keyv from 'keyv';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ConversationService } from '../../src/conversation/service.ts';
import { TurnGate } from '../../src/conversation/turn-gate.ts';
import type { AttachmentResolver, EarlierMessage, TurnRequest } from '../../src/conversation/types.ts';
import { ContextHorizon } from '../../src/history/context-horizon.ts';
import { ModelChoiceStore } from '../../src/history/model-choice.ts';
import { PersonaStore } from '../../src/history/persona-store.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { InProcessLockManager } from '../../src/store/lock.ts';
import { UpstreamClient } from '../../src/upstream/client.ts';
import { userTextIn } from '../../src/user-text.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { textOf } from '../fakes/discord/read.ts';
import { RecordingSurface } from '../support/recording-surface.ts';

const userText = userTextIn('en');

const now = Date.UTC(2026, 4, 1, 9, 0);
const none: AttachmentResolver = {
  resolve: async () => 'data:,',
  download: async () => ({ bytes: new Uint8Array(0), complete: true }),
};

let upstream: FakeUpstream;
let clock = now;
beforeEach(async () => {
  upstream = await startFakeUpstream();
  clock = now;
});
afterEach(async () => {
  await upstream.close();
});

function core() {
  const keyv = new Keyv();
  return new ConversationService({
    upstream: new UpstreamClient({ apiBase: upstream.url, apiKey: 'k', timeoutMs: 30_000, idleTimeoutMs: 30_000, maxRetries: 0 }),
    history: new HistoryStore(keyv),
    modelChoice: new ModelChoiceStore(keyv, ['m'], 'm'),
    gate: new TurnGate(new InProcessLockManager(), 3),
    scheduler: new WriteScheduler(),
    logger: pino({ level: 'silent' }),
    models: ['m'],
    systemPrompt: 'Default prompt, {date}.',
    timeZone: 'UTC',
    limits: { maxMessages: 50, maxChars: 100_000, mediaTurns: 3 },
    attachmentMaxBytes: 1024 * 1024,
    reasoningDisplay: 'status',
    usageFooter: false,
    personas: new PersonaStore(keyv),
    horizons: new ContextHorizon(keyv),
    now: () => clock,
  });
}

const said = (id: string, name: string, text: string, at = now - 60_000): EarlierMessage => ({
  platformMessageId: id,
  role: 'user',
  author: { id: name.toLowerCase(), name },
  text,
  attachments: [],
  at,
});

const turn = (id: string, text: string, earlier: EarlierMessage[] = []): TurnRequest => ({
  turnId: id,
  conversationId: 'thread-1',
  channelId: 'chan-1',
  author: { id: 'alice', name: 'Alice' },
  text,
  attachments: [],
  earlier: { messages: earlier, truncated: false },
});

const sentTexts = (i: number) => (upstream.requests[i]?.body.messages ?? []).filter((m) => m.role !== 'system').map((m) => textOf(m.content));

test('a follow-up carries each earlier platform message exactly once, new ones after the last turn', async () => {
  const c = core();
  const thread = [said('1', 'Bob', 'the deploy is red'), said('2', 'Carol', 'since 9:00')];
  await c.answer(turn('3', 'why?', thread), { surface: new RecordingSurface(), attachments: none });
  upstream.script({ type: 'answer', text: 'Second answer.' });
  // The adapter reads the whole thread again: the first turn and its answer are on the platform now too.
  const again = [...thread, said('3', 'Alice', 'why?'), { ...said('4', 'Gemini', 'an answer'), role: 'assistant' as const }, said('5', 'Bob', 'fixed it')];
  await c.answer(turn('6', 'what was it?', again), { surface: new RecordingSurface(), attachments: none });
  expect(sentTexts(1)).toEqual([
    '[Bob]: the deploy is red',
    '[Carol]: since 9:00',
    '[Alice]: why?',
    expect.any(String),
    '[Bob]: fixed it',
    '[Alice]: what was it?',
  ]);
});

test('after /reset, the thread read again stays forgotten; only what came after is carried', async () => {
  const c = core();
  await c.answer(turn('3', 'why?', [said('1', 'Bob', 'old talk')]), { surface: new RecordingSurface(), attachments: none });
  await c.reset('thread-1');
  clock += 60_000;
  await c.answer(turn('9', 'fresh start', [said('1', 'Bob', 'old talk'), said('8', 'Bob', 'new talk', clock - 1000)]), {
    surface: new RecordingSurface(),
    attachments: none,
  });
  expect(sentTexts(1)).toEqual(['[Bob]: new talk', '[Alice]: fresh start']);
});

test('a persona replaces the system prompt, placeholders filled; a thread’s wins over its channel’s; clearing restores the default', async () => {
  const c = core();
  expect(await c.setPersona({ channelId: 'chan-1' }, '  You are a pirate. It is {date}.  ', 'en')).toEqual({ ok: true, persona: 'You are a pirate. It is {date}.' });
  expect(await c.personaFor('thread-1', 'chan-1')).toBe('You are a pirate. It is {date}.');
  await c.answer(turn('1', 'hi'), { surface: new RecordingSurface(), attachments: none });
  await c.setPersona({ conversationId: 'thread-1' }, 'You are a poet.', 'en');
  await c.answer(turn('2', 'hi'), { surface: new RecordingSurface(), attachments: none });
  await c.clearPersona({ conversationId: 'thread-1' });
  await c.clearPersona({ channelId: 'chan-1' });
  await c.answer(turn('3', 'hi'), { surface: new RecordingSurface(), attachments: none });
  expect(upstream.requests.map((r) => r.body.messages[0]?.content)).toEqual([
    'You are a pirate. It is Friday, 2026-05-01.',
    'You are a poet.',
    'Default prompt, Friday, 2026-05-01.',
  ]);
});

test('a persona over 4,000 characters, or empty, is refused with the reason', async () => {
  const c = core();
  expect(await c.setPersona({ channelId: 'chan-1' }, 'x'.repeat(4001), 'en')).toEqual({ ok: false, userText: userText.personaTooLong(4001, 4000) });
  expect(await c.setPersona({ channelId: 'chan-1' }, '   ', 'en')).toEqual({ ok: false, userText: userText.personaEmpty });
  expect(await c.personaFor('chan-1', 'chan-1')).toBeUndefined();
});
