import { pino } from 'pino';
import { expect, test } from 'vitest';
import { ContextBuilder } from '../../src/conversation/context-builder.ts';
import type { AttachmentResolver, EarlierMessage, TurnRequest } from '../../src/conversation/types.ts';
import type { StoredMessage } from '../../src/history/record.ts';
import type { ChatMessage } from '../../src/upstream/request.ts';
import { userTextIn } from '../../src/user-text.ts';

const userText = userTextIn('en');

const MB = 1024 * 1024;
const now = Date.UTC(2026, 4, 1, 9, 0);
const resolver: AttachmentResolver = {
  resolve: async (a) => `https://cdn.test/${a.ref}`,
  download: async () => ({ bytes: new TextEncoder().encode('print("hi")'), complete: true }),
};

function builder(opts: { contextMaxMessages?: number; maxMessages?: number; systemPrompt?: string } = {}) {
  return new ContextBuilder({
    systemPrompt: opts.systemPrompt ?? 'Be brief.',
    timeZone: 'UTC',
    limits: { maxMessages: opts.maxMessages ?? 50, maxChars: 100_000, mediaTurns: 3 },
    contextMaxMessages: opts.contextMaxMessages ?? 50,
    attachmentMaxBytes: 20 * MB,
    now: () => now,
  });
}

const said = (id: string, name: string, text: string): EarlierMessage => ({
  platformMessageId: id,
  role: 'user',
  author: { id: name.toLowerCase(), name },
  text,
  attachments: [],
  at: Number(id),
});

const request = (text: string, extra: Partial<TurnRequest> = {}): TurnRequest => ({
  turnId: 'm10',
  conversationId: 'c',
  channelId: 'ch',
  author: { id: 'alice', name: 'Alice' },
  text,
  attachments: [],
  ...extra,
});

async function prepare(b: ContextBuilder, req: TurnRequest, history: StoredMessage[] = []) {
  const notices: string[] = [];
  const settings = await b.settings(req);
  const prepared = await b.prepare(req, history, settings, {
    resolver,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    notice: (n) => notices.push(n),
  });
  return { ...prepared, notices };
}

const shown = (messages: ChatMessage[]) => messages.map((m) => [m.role, typeof m.content === 'string' ? m.content : m.content.map((p) => ('text' in p ? p.text : p.image_url.url)).join(' | ')]);

test('a question replying to someone else’s message carries it first, each named by its author', async () => {
  const { messages, readIn, notices } = await prepare(builder(), request('is this right?', { earlier: { messages: [said('1', 'Bob', 'the cache is the problem')], truncated: false } }));
  expect(shown(messages)).toEqual([
    ['system', 'Be brief.'],
    ['user', '[Bob]: the cache is the problem'],
    ['user', '[Alice]: is this right?'],
  ]);
  expect(readIn.map((m) => m.text)).toEqual(['the cache is the problem']);
  expect(notices).toEqual([]);
});

test('one person talking stays unprefixed, read-in messages included', async () => {
  const { messages } = await prepare(builder(), request('why?', { earlier: { messages: [said('1', 'Alice', 'my build log')], truncated: false } }));
  expect(shown(messages).slice(1)).toEqual([
    ['user', 'my build log'],
    ['user', 'why?'],
  ]);
});

test('past CONTEXT_MAX_MESSAGES the newest are kept, and the answer says older ones were left out', async () => {
  const earlier = { messages: ['1', '2', '3'].map((id) => said(id, 'Bob', `m${id}`)), truncated: false };
  const { messages, notices } = await prepare(builder({ contextMaxMessages: 2 }), request('sum up', { earlier }));
  expect(shown(messages).slice(1, -1).map(([, text]) => text)).toEqual(['[Bob]: m2', '[Bob]: m3']);
  expect(notices).toEqual([userText.earlierLeftOut]);
});

test('read-in messages over the history budget are cut oldest first, with the same notice', async () => {
  const earlier = { messages: ['1', '2', '3', '4'].map((id) => said(id, 'Bob', `m${id}`)), truncated: false };
  const { messages, notices } = await prepare(builder({ maxMessages: 2 }), request('sum up', { earlier }));
  expect(shown(messages).slice(1, -1).map(([, text]) => text)).toEqual(['[Bob]: m3', '[Bob]: m4']);
  expect(notices).toEqual([userText.earlierLeftOut]);
});

test('the adapter’s failure to read the context is said, and the question still answered', async () => {
  const { messages, notices } = await prepare(builder(), request('hello', { earlier: { messages: [], truncated: false, failure: 'forbidden' } }));
  expect(notices).toEqual([userText.earlierUnreadable('forbidden')]);
  expect(shown(messages).at(-1)).toEqual(['user', 'hello']);
});

test('a document on a read-in message goes upstream with it', async () => {
  const withFile = { ...said('1', 'Bob', 'see script'), attachments: [{ ref: 'f', name: 'run.py', size: 11 }] };
  const { messages } = await prepare(builder(), request('what does it print?', { earlier: { messages: [withFile], truncated: false } }));
  expect(shown(messages)[1]).toEqual(['user', '[Bob]: see script | <document name="run.py">\nprint("hi")\n</document>']);
});

test('the system prompt’s placeholders are filled from the request’s place', async () => {
  const b = builder({ systemPrompt: 'I am {bot_name} in {channel} on {platform}, {date}.' });
  const { messages } = await prepare(b, request('hi', { place: { platform: 'Discord', channel: '#dev', botName: 'Gem' } }));
  expect(messages[0]).toEqual({ role: 'system', content: 'I am Gem in #dev on Discord, Friday, 2026-05-01.' });
});
