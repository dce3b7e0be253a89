/**
 * The baseline: a bot with no write scheduler, on either platform. Each stream
 * posts a placeholder, then edits its message once a second with whatever text
 * it has, whatever the other streams in the channel or workspace do, and on a
 * 429 waits `Retry-After` and sends the same (by then stale) edit again, as a
 * plain REST queue would. It reads the same paced provider with a plain SSE
 * reader, and talks to a fresh loopback fake with fetch.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { answerFor, type PacedUpstream } from '../test/fakes/paced-upstream.ts';
import { epochNow, questionFor, summarize, within, type RunSummary, type StreamRecord } from './streams.ts';

const EDIT_EVERY_MS = 1000;

/** What the naive bot does on a platform: post a message, replace its text. Both wait out 429s themselves. */
export interface NaivePlatform {
  post(stream: number, text: string): Promise<string>;
  edit(stream: number, id: string, text: string): Promise<void>;
}

/** One HTTP call, sent again after `Retry-After` for as long as it gets 429; counts the 429s. */
export class RetryingCaller {
  rateLimited = 0;

  async call(url: string, init: RequestInit): Promise<unknown> {
    for (;;) {
      const response = await fetch(url, init);
      if (response.status !== 429) return response.json();
      this.rateLimited += 1;
      const retryAfterS = Number(response.headers.get('retry-after') ?? '1');
      await response.body?.cancel();
      await sleep(retryAfterS * 1000);
    }
  }
}

/** Reads an SSE answer, calling `onText` with the text so far after each chunk. */
async function readAnswer(url: string, question: string, onText: (text: string) => void): Promise<void> {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    body: JSON.stringify({ model: 'gemini-2.5-pro', stream: true, messages: [{ role: 'user', content: question }] }),
  });
  if (!response.body) throw new Error('no answer body');
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const chunk = JSON.parse(event.slice(6)) as { choices: { delta?: { content?: string } }[] };
      text += chunk.choices[0]?.delta?.content ?? '';
      onText(text);
    }
  }
}

/** Runs `streams` naive answers at once; `caller` counted the platform's 429s. */
export async function runNaive(
  upstream: PacedUpstream,
  profile: { streams: number; reasoningMs: number; answerChars: number },
  name: string,
  platform: NaivePlatform,
  caller: RetryingCaller,
): Promise<RunSummary> {
  const stream = async (i: number, record: StreamRecord, question: string) => {
    let text = '';
    let done = false;
    const reading = readAnswer(upstream.base(profile.reasoningMs, profile.answerChars), question, (t) => (text = t)).finally(() => (done = true));
    const id = await platform.post(i, '💭 Thinking…');
    record.firstMessageAt = epochNow();
    let shown = '';
    for (;;) {
      await sleep(EDIT_EVERY_MS);
      const finished = done;
      const snapshot = text;
      if (snapshot !== '' && snapshot !== shown) {
        await platform.edit(i, id, snapshot);
        record.edits += 1;
        shown = snapshot;
        record.firstTextAt ??= epochNow();
      }
      if (finished && shown === text) break;
    }
    record.finalAt = epochNow();
    record.finalText = shown;
    await reading;
  };

  const started = epochNow();
  const records: StreamRecord[] = [];
  const running: Promise<void>[] = [];
  for (let i = 0; i < profile.streams; i++) {
    const tag = `naive-${name}-${profile.streams}-${i}`;
    const question = questionFor(tag);
    const record: StreamRecord = { tag, expected: answerFor(question, profile.answerChars), mentionAt: epochNow(), edits: 0 };
    records.push(record);
    running.push(stream(i, record, question));
  }
  await within(Promise.all(running), 300_000, `the naive ${name} streams`);
  return summarize(records, await upstream.log(), caller.rateLimited, epochNow() - started);
}
