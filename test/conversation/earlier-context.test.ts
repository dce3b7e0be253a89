import { describe, expect, test } from 'vitest';
import { newEarlierMessages, storedFromEarlier } from '../../src/conversation/earlier-context.ts';
import type { EarlierMessage } from '../../src/conversation/types.ts';
import type { StoredMessage } from '../../src/history/record.ts';

const said = (id: string, text: string, extra: Partial<EarlierMessage> = {}): EarlierMessage => ({
  platformMessageId: id,
  role: 'user',
  author: { id: 'bob', name: 'Bob' },
  text,
  attachments: [],
  at: Number(id),
  ...extra,
});
const botSaid = (id: string, text: string) => said(id, text, { role: 'assistant', author: { id: 'bot', name: 'Gemini' } });
const opts = { currentMessageId: '99', horizon: undefined, max: 50 };
const texts = (r: { messages: readonly EarlierMessage[] }) => r.messages.map((m) => m.text);

describe('which messages read from the platform are new', () => {
  test('without history, everything read is new, the bot’s own messages too, oldest first', () => {
    const read = { messages: [said('1', 'deploy failed'), botSaid('2', 'try again'), said('3', 'still failing')], truncated: false };
    expect(texts(newEarlierMessages(read, [], opts))).toEqual(['deploy failed', 'try again', 'still failing']);
  });

  test('a later read skips what the earlier turn stored and everything before it, and the bot’s own answers', () => {
    const turn1 = 't1';
    const history: StoredMessage[] = [
      ...storedFromEarlier([said('1', 'deploy failed')], turn1, 1000),
      { role: 'user', turnId: turn1, authorId: 'alice', authorName: 'Alice', text: 'why?', attachments: [], at: 5, platformMessageId: '5' },
      { role: 'assistant', turnId: turn1, model: 'm', text: 'OOM', status: 'complete', at: 6 },
    ];
    const read = {
      messages: [said('0', 'older, never read'), said('1', 'deploy failed'), said('5', 'why?'), botSaid('6', 'OOM'), said('7', 'it worked after the fix')],
      truncated: false,
    };
    expect(texts(newEarlierMessages(read, history, opts))).toEqual(['it worked after the fix']);
  });

  test('the turn’s own message is never read in', () => {
    expect(texts(newEarlierMessages({ messages: [said('1', 'a'), said('99', 'the question')], truncated: false }, [], opts))).toEqual(['a']);
  });

  test('after a reset, what was posted before it stays forgotten', () => {
    const read = { messages: [said('10', 'before'), said('30', 'after')], truncated: true };
    const result = newEarlierMessages(read, [], { ...opts, horizon: 20 });
    expect(texts(result)).toEqual(['after']);
    expect(result.leftOut).toBe(false);
  });

  test('CONTEXT_MAX_MESSAGES keeps the newest and says older ones were left out', () => {
    const read = { messages: ['1', '2', '3', '4'].map((id) => said(id, `m${id}`)), truncated: false };
    const result = newEarlierMessages(read, [], { ...opts, max: 2 });
    expect(texts(result)).toEqual(['m3', 'm4']);
    expect(result.leftOut).toBe(true);
  });

  test('a read the platform cut is a gap only if an earlier read reaches back to it', () => {
    const read = { messages: [said('5', 'deploy failed'), said('7', 'new')], truncated: true };
    expect(newEarlierMessages(read, [], opts).leftOut).toBe(true);
    expect(newEarlierMessages(read, storedFromEarlier([said('5', 'deploy failed')], 't1', 1000), opts).leftOut).toBe(false);
  });

  test('a question whose turn read nothing is not sent twice, but the messages before it still are', () => {
    // A question kept without its read (the read failed, or it was asked while the bot was busy).
    const history: StoredMessage[] = [{ role: 'user', turnId: 't5', authorId: 'alice', authorName: 'Alice', text: 'why?', attachments: [], at: 5, platformMessageId: '5' }];
    const read = { messages: [said('4', 'context'), said('5', 'why?'), said('6', 'more')], truncated: false };
    expect(texts(newEarlierMessages(read, history, opts))).toEqual(['context', 'more']);
  });
});

test('read-in messages are stored with the turn that read them, keeping only usable attachments', () => {
  const photo = { ref: 'p', name: 'photo.png', contentType: 'image/png', size: 10 };
  const zip = { ref: 'z', name: 'all.zip', contentType: 'application/zip', size: 10 };
  const [stored] = storedFromEarlier([said('1', 'look', { attachments: [photo, zip] })], 'turn-9', 1000);
  expect(stored).toEqual({
    role: 'user',
    turnId: 'turn-9',
    platformMessageId: '1',
    readIn: true,
    authorId: 'bob',
    authorName: 'Bob',
    text: 'look',
    attachments: [photo],
    at: 1,
  });
});
