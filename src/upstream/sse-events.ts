/**
 * Reads a `text/event-stream` body into typed upstream events.
 * Bytes are decoded with a streaming TextDecoder so a UTF-8 character split
 * across network reads survives; eventsource-parser handles CR/LF/CRLF, `:`
 * keep-alive comments and events split mid-line.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { UpstreamError } from './errors.ts';
import type { UpstreamEvent } from './events.ts';
import { streamChunkSchema, toUsage } from './wire.ts';

/** One event far larger than any chunk the provider sends means a broken or hostile stream. */
const MAX_EVENT_BYTES = 4 * 1024 * 1024;

/** Translates one SSE event's JSON into zero or more typed events; throws on a malformed one. */
export function eventsFromChunk(data: string): UpstreamEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (cause) {
    throw new UpstreamError('broken-stream', 'upstream sent an event that is not JSON', { cause });
  }
  const parsed = streamChunkSchema.safeParse(json);
  if (!parsed.success) throw new UpstreamError('broken-stream', 'upstream sent an event of unknown shape', { cause: parsed.error });
  const chunk = parsed.data;
  if (chunk.error) {
    throw new UpstreamError('unavailable', `upstream reported an error mid-stream: ${chunk.error.message ?? 'unknown'}`, {
      code: chunk.error.code != null ? String(chunk.error.code) : undefined,
    });
  }
  const events: UpstreamEvent[] = [];
  for (const choice of chunk.choices ?? []) {
    const reasoning = choice.delta?.reasoning_content;
    if (reasoning) events.push({ type: 'reasoning', text: reasoning });
    const content = choice.delta?.content;
    if (content) events.push({ type: 'text', text: content });
    if (choice.finish_reason) events.push({ type: 'finish', reason: choice.finish_reason });
  }
  if (chunk.usage) events.push({ type: 'usage', usage: toUsage(chunk.usage) });
  return events;
}

/**
 * Yields the events of one streamed answer. Ends normally at `[DONE]` or at the
 * end of the body once a finish reason arrived; a body that ends before any
 * finish reason is a truncated answer and throws `broken-stream`.
 * `onBytes` is called on every read, for the idle timeout.
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  onBytes: () => void,
): AsyncGenerator<UpstreamEvent> {
  const pending: EventSourceMessage[] = [];
  let parseError: unknown;
  const parser = createParser({
    onEvent: (event) => pending.push(event),
    onError: (error) => {
      parseError = error;
    },
    maxBufferSize: MAX_EVENT_BYTES,
  });
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await readOrBroken(reader);
      onBytes();
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      if (parseError) throw new UpstreamError('broken-stream', 'upstream stream could not be parsed', { cause: parseError });
      while (pending.length > 0) {
        const event = pending.shift() as EventSourceMessage;
        if (event.data === '[DONE]') {
          if (!finished) throw new UpstreamError('broken-stream', 'upstream ended the stream before a finish reason');
          return;
        }
        for (const typed of eventsFromChunk(event.data)) {
          if (typed.type === 'finish') finished = true;
          yield typed;
        }
      }
      if (done) break;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
  if (!finished) throw new UpstreamError('broken-stream', 'upstream stream ended without a finish reason');
}

/**
 * One read of the body. The connection dropping mid-body (the provider's process
 * died, a proxy reset it) rejects the read with undici's `TypeError: terminated`:
 * that is a cut-off answer, not an unreachable service, so the user is told the
 * answer was cut off. An abort or timeout also rejects here; the client tells
 * those apart by its signals, not by this error.
 */
async function readOrBroken(reader: ReadableStreamDefaultReader<Uint8Array>): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  try {
    return await reader.read();
  } catch (cause) {
    throw new UpstreamError('broken-stream', 'upstream connection dropped mid-stream', { cause });
  }
}
