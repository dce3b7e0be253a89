/**
 * The baseline: a bot with no write scheduler. Each stream posts a placeholder,
 * then edits its message once a second with whatever text it has, whatever the
 * other streams in the channel do, and on a 429 waits `Retry-After` and sends
 * the same (by then stale) edit again, as a plain REST queue would. It talks to
 * a fresh loopback Discord with fetch, and reads the same paced upstream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeDiscord } from '../test/fakes/discord/index.ts';
import { answerFor, type PacedUpstream } from '../test/fakes/paced-upstream.ts';
import type { DiscordProfile } from './discord-run.ts';
import { epochNow, summarize, within, type RunSummary, type StreamRecord } from './streams.ts';

const EDIT_EVERY_MS = 1000;

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

export async function runNaiveDiscord(upstream: PacedUpstream, profile: DiscordProfile): Promise<RunSummary> {
  const discord = await startFakeDiscord();
  const channel = discord.world.channelId;
  const api = `${discord.apiBase}/v10`;
  let rateLimited = 0;

  /** One REST call; a 429 is waited out and the same request sent again. */
  const send = async (method: string, path: string, body: unknown): Promise<{ id: string }> => {
    for (;;) {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 429) return (await response.json()) as { id: string };
      rateLimited += 1;
      const retryAfterS = Number(response.headers.get('retry-after') ?? '1');
      await response.body?.cancel();
      await sleep(retryAfterS * 1000);
    }
  };

  const stream = async (record: StreamRecord, question: string) => {
    let text = '';
    let done = false;
    const reading = readAnswer(upstream.base(profile.reasoningMs, profile.answerChars), question, (t) => (text = t)).finally(() => (done = true));
    const message = await send('POST', `/channels/${channel}/messages`, { content: '💭 Thinking…', allowed_mentions: { parse: [] } });
    record.firstMessageAt = epochNow();
    let shown = '';
    for (;;) {
      await sleep(EDIT_EVERY_MS);
      const finished = done;
      const snapshot = text;
      if (snapshot !== '' && snapshot !== shown) {
        await send('PATCH', `/channels/${channel}/messages/${message.id}`, { content: snapshot, allowed_mentions: { parse: [] } });
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

  try {
    const started = epochNow();
    const records: StreamRecord[] = [];
    const running: Promise<void>[] = [];
    for (let i = 0; i < profile.streams; i++) {
      const tag = `bench-naive-${i}`;
      const question = `${tag}: how do rate limits shape a streamed answer?`;
      const record: StreamRecord = { tag, expected: answerFor(question, profile.answerChars), mentionAt: epochNow(), edits: 0 };
      records.push(record);
      running.push(stream(record, question));
    }
    await within(Promise.all(running), 180_000, 'the naive Discord streams');
    return summarize(records, await upstream.log(), rateLimited, epochNow() - started);
  } finally {
    await discord.close();
  }
}
