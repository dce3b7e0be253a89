import { describe, expect, test } from 'vitest';
import { buildMessages, selectHistory, speakerLabel, userMessagesWithMedia } from '../../src/conversation/context.ts';
import type { StoredMessage, StoredUserMessage } from '../../src/history/record.ts';

let at = 0;
const user = (text: string, attachments: StoredUserMessage['attachments'] = []): StoredUserMessage => ({
  role: 'user',
  turnId: `t${++at}`,
  authorId: 'u',
  authorName: 'Ada',
  text,
  attachments,
  at,
});
const assistant = (text: string, status: 'complete' | 'failed' | 'stopped' | 'not-answered' = 'complete'): StoredMessage => ({
  role: 'assistant',
  turnId: `t${at}`,
  model: 'm',
  text,
  status,
  at,
});
const limits = { maxMessages: 50, maxChars: 100_000, mediaTurns: 3 };

describe('which history is sent', () => {
  test('the newest exchanges that fit the message limit, never half an exchange', () => {
    const history = [user('q1'), assistant('a1'), user('q2'), assistant('a2'), user('q3'), assistant('a3')];
    expect(selectHistory(history, { ...limits, maxMessages: 5 }).map((m) => m.text)).toEqual(['q2', 'a2', 'q3', 'a3']);
  });

  test('the character budget drops the oldest exchanges first', () => {
    const history = [user('x'.repeat(50)), assistant('y'.repeat(50)), user('q2'), assistant('a2')];
    expect(selectHistory(history, { ...limits, maxChars: 99 }).map((m) => m.text)).toEqual(['q2', 'a2']);
  });

  test('an exchange whose answer showed nothing is left out; a stopped partial answer stays', () => {
    const history = [user('broken'), assistant('', 'failed'), user('stopped early'), assistant('half', 'stopped'), user('q'), assistant('a')];
    expect(selectHistory(history, limits).map((m) => m.text)).toEqual(['stopped early', 'half', 'q', 'a']);
  });

  test('a question kept as not answered (busy, store down) is carried alone, in its place', () => {
    const history = [user('q1'), assistant('a1'), user('asked while busy'), assistant('', 'not-answered'), user('broken'), assistant('', 'failed')];
    expect(selectHistory(history, limits).map((m) => [m.role, m.text])).toEqual([
      ['user', 'q1'],
      ['assistant', 'a1'],
      ['user', 'asked while busy'],
    ]);
  });

  test('messages read in from the platform are kept while they fit, newest first, though no answer follows them', () => {
    const readIn = (text: string): StoredMessage => ({ ...user(text), readIn: true });
    const history = [readIn('r1'), readIn('r2'), readIn('r3'), user('q'), assistant('a')];
    expect(selectHistory(history, limits).map((m) => m.text)).toEqual(['r1', 'r2', 'r3', 'q', 'a']);
    expect(selectHistory(history, { ...limits, maxMessages: 4 }).map((m) => m.text)).toEqual(['r2', 'r3', 'q', 'a']);
  });

  test('an exchange larger than the whole budget ends the history there, even if older ones would fit', () => {
    const history = [user('old'), assistant('small'), user('huge'), assistant('z'.repeat(1000)), user('q'), assistant('a')];
    expect(selectHistory(history, { ...limits, maxChars: 100 }).map((m) => m.text)).toEqual(['q', 'a']);
  });
});

describe('the request messages', () => {
  test('system prompt first, history in order, the new question last', () => {
    const messages = buildMessages('Be brief.', [user('q1'), assistant('a1')], { text: 'q2', contents: [] });
    expect(messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q2' },
    ]);
  });

  test('media of old turns is named in text instead of sent again', () => {
    const photo = { ref: 'p', name: 'photo.png', contentType: 'image/png' };
    const old = user('look', [photo]);
    const messages = buildMessages('', [old, assistant('nice')], { text: 'and now?', contents: [] });
    expect(messages[0]).toEqual({ role: 'user', content: 'look\n[attached earlier: photo.png]' });
  });

  test('with several speakers every user message names its author; answers do not', () => {
    const bob = { ...user('the build is red'), authorId: 'b', authorName: 'Bob' };
    const messages = buildMessages('', [bob, assistant('looking')], { text: 'any news?', contents: [], authorName: 'Ada' }, { namedSpeakers: true });
    expect(messages).toEqual([
      { role: 'user', content: '[Bob]: the build is red' },
      { role: 'assistant', content: 'looking' },
      { role: 'user', content: '[Ada]: any news?' },
    ]);
  });

  test('a name cannot ping or forge another speaker', () => {
    expect(speakerLabel('@everyone')).toBe('[everyone]: ');
    expect(speakerLabel('<@123> [Ada]:\nhi')).toBe('[123 Ada: hi]: ');
  });

  test('only the newest turns with media keep it', () => {
    const turns = [1, 2, 3, 4].map((i) => user(`q${i}`, [{ ref: `r${i}`, name: `f${i}.png` }]));
    expect([...userMessagesWithMedia(turns, 2)].map((m) => m.text)).toEqual(['q3', 'q4']);
  });
});
