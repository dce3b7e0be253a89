import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UpstreamClient, type UpstreamClientOptions } from '../../src/upstream/client.ts';
import { UpstreamError } from '../../src/upstream/errors.ts';
import type { UpstreamEvent } from '../../src/upstream/events.ts';
import { readEventStream } from '../../src/upstream/sse-events.ts';
import { fixture, fixtureAnswer, startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';

const request = { model: 'gemini-2.5-pro', messages: [{ role: 'user' as const, content: 'Hello,What model are you?' }] };

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

function client(overrides: Partial<UpstreamClientOptions> = {}) {
  return new UpstreamClient({
    apiBase: upstream.url,
    apiKey: 'sk-test',
    timeoutMs: 30_000,
    idleTimeoutMs: 30_000,
    maxRetries: 2,
    backoffBaseMs: 1,
    ...overrides,
  });
}

async function collect(events: AsyncIterable<UpstreamEvent>): Promise<UpstreamEvent[]> {
  const out: UpstreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const textOf = (events: UpstreamEvent[], type: 'text' | 'reasoning') =>
  events.map((e) => (e.type === type ? e.text : '')).join('');

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

function bodyOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(p);
      controller.close();
    },
  });
}

describe('streaming the provider transcript', () => {
  test('the answer, reasoning, finish and usage of the provider stream arrive intact', async () => {
    const events = await collect(client().stream(request, new AbortController().signal));
    expect(textOf(events, 'text')).toBe(fixtureAnswer());
    expect(textOf(events, 'reasoning')).toContain('**定義我的本質**');
    expect(events.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', reason: 'stop' }]);
    const usage = events.find((e) => e.type === 'usage');
    expect(usage).toMatchObject({ type: 'usage', usage: { reasoningTokens: expect.any(Number) } });
    const sent = upstream.requests[0];
    expect(sent?.path).toBe('/v1/gemini/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer sk-test');
    expect(sent?.body).toMatchObject({ model: 'gemini-2.5-pro', stream: true, messages: request.messages });
  });

  test('the same bytes split at every point, and in 1-byte reads, give identical events', async () => {
    const bytes = Buffer.from(fixture('stream-reasoning-zh.sse'), 'utf8');
    const expected = await collect(readEventStream(bodyOf([bytes]), () => undefined));
    for (let at = 1; at < bytes.length; at++) {
      const events = await collect(readEventStream(bodyOf([bytes.subarray(0, at), bytes.subarray(at)]), () => undefined));
      expect(events).toEqual(expected);
    }
    const oneByte = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(readEventStream(bodyOf(oneByte), () => undefined))).toEqual(expected);
  });

  test('1-byte network writes over HTTP give the same answer', async () => {
    upstream.script({ type: 'replay', fixture: 'stream-reasoning-zh.sse', chunkSize: 1 });
    const events = await collect(client().stream(request, new AbortController().signal));
    expect(textOf(events, 'text')).toBe(fixtureAnswer());
  });

  test('CRLF line endings and keep-alive comments are understood', async () => {
    const crlf = fixture('stream-reasoning-zh.sse').replace(/\n/g, '\r\n');
    upstream.script({ type: 'raw', pieces: [': keep-alive\r\n\r\n', crlf.slice(0, 500), ': ping\r\n\r\n'.slice(0, 0), crlf.slice(500)] });
    const events = await collect(client().stream(request, new AbortController().signal));
    expect(textOf(events, 'text')).toBe(fixtureAnswer());
  });

  test('a stream that finished but never sent [DONE] still counts as a whole answer', async () => {
    const withoutDone = fixture('stream-reasoning-zh.sse').replace('data: [DONE]', '');
    upstream.script({ type: 'raw', pieces: [withoutDone] });
    const events = await collect(client().stream(request, new AbortController().signal));
    expect(textOf(events, 'text')).toBe(fixtureAnswer());
  });

  test('finish_reason length is passed on so the user can be told the answer was cut', async () => {
    upstream.script({ type: 'answer', text: 'partial', finishReason: 'length' });
    const events = await collect(client().stream(request, new AbortController().signal));
    expect(events).toContainEqual({ type: 'finish', reason: 'length' });
  });
});

describe('failures', () => {
  test('a stream cut after text was yielded is a broken stream and is not retried', async () => {
    const text = fixture('stream-reasoning-zh.sse');
    const answerEvent = text.indexOf('"content": "我是');
    upstream.script({ type: 'raw', pieces: [text.slice(0, text.indexOf('\n\n', answerEvent) + 2)] });
    const seen: UpstreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const e of client().stream(request, new AbortController().signal)) seen.push(e);
      })(),
    );
    expect(error.kind).toBe('broken-stream');
    expect(seen.length).toBeGreaterThan(0);
    expect(upstream.requests).toHaveLength(1);
  });

  test('a stream that dies before any event is retried and the retry answers', async () => {
    upstream.script({ type: 'raw', pieces: [': keep-alive\n\n'] });
    const events = await collect(client().stream(request, new AbortController().signal));
    expect(textOf(events, 'text')).toBe(fixtureAnswer());
    expect(upstream.requests).toHaveLength(2);
  });

  test('garbage JSON in an event is a broken stream, not a crash', async () => {
    upstream.script({ type: 'raw', pieces: ['data: {"choices": [{"delta": {"content": "hi"}}]}\n\n', 'data: {not json\n\n'] });
    const error = await failure(collect(client({ maxRetries: 0 }).stream(request, new AbortController().signal)));
    expect(error.kind).toBe('broken-stream');
  });

  test('500 with the provider error body is retried, keeping its trace id when retries run out', async () => {
    const body = JSON.parse(fixture('error.json')) as unknown;
    upstream.script({ type: 'error', status: 500, body }, { type: 'error', status: 500, body }, { type: 'error', status: 500, body });
    const error = await failure(collect(client().stream(request, new AbortController().signal)));
    expect(error).toMatchObject({ kind: 'unavailable', status: 500, code: 'api_error', traceId: '2cf86e86-22a4-46e1-ac2f-032c0f2a4e89' });
    expect(upstream.requests).toHaveLength(3);
  });

  test('500 then success: the user gets the answer', async () => {
    upstream.script({ type: 'error', status: 500, body: JSON.parse(fixture('error.json')) as unknown });
    const events = await collect(client().stream(request, new AbortController().signal));
    expect(textOf(events, 'text')).toBe(fixtureAnswer());
  });

  test('429 honours Retry-After and retries', async () => {
    const retries: number[] = [];
    upstream.script({
      type: 'error',
      status: 429,
      headers: { 'retry-after': '0' },
      body: { success: false, error: { code: 'too_many_requests', message: 'slow down' }, trace_id: 't-429' },
    });
    const events = await collect(client({ onRetry: (_e, _a, wait) => retries.push(wait) }).stream(request, new AbortController().signal));
    expect(textOf(events, 'text')).toBe(fixtureAnswer());
    expect(retries).toHaveLength(1);
  });

  test.each([
    [400, 'token_mismatched', 'bad-request'],
    [400, 'api_not_implemented', 'not-implemented'],
    [401, 'invalid_token', 'unauthorized'],
  ])('%i %s is not retried and becomes %s', async (status, code, kind) => {
    upstream.script({ type: 'error', status, body: { success: false, error: { code, message: 'nope' }, trace_id: 'trace-1' } });
    const error = await failure(collect(client().stream(request, new AbortController().signal)));
    expect(error).toMatchObject({ kind, status, code, traceId: 'trace-1', detail: 'nope' });
    expect(upstream.requests).toHaveLength(1);
  });

  test('an HTML error page from a proxy still gives a clear error', async () => {
    upstream.script(...Array.from({ length: 3 }, () => ({ type: 'error' as const, status: 502, body: '<html><body>Bad gateway</body></html>' })));
    const error = await failure(collect(client().stream(request, new AbortController().signal)));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('HTTP 502');
  });

  test('an empty error body still gives a clear error', async () => {
    upstream.script({ type: 'error', status: 400, body: '' });
    const error = await failure(collect(client().stream(request, new AbortController().signal)));
    expect(error.kind).toBe('bad-request');
    expect(error.message).toContain('empty body');
  });

  test('a stream that goes silent hits the idle timeout', async () => {
    upstream.script(...Array.from({ length: 3 }, () => ({ type: 'hang' as const, pieces: [': hello\n\n'] })));
    const error = await failure(collect(client({ idleTimeoutMs: 30 }).stream(request, new AbortController().signal)));
    expect(error.kind).toBe('timeout');
  });

  test('aborting stops the stream with the abort reason, without retries', async () => {
    upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'] });
    const controller = new AbortController();
    const seen: UpstreamEvent[] = [];
    const outcome = (async () => {
      for await (const e of client().stream(request, controller.signal)) {
        seen.push(e);
        controller.abort(new Error('stopped by user'));
      }
    })();
    await expect(outcome).rejects.toThrow('stopped by user');
    expect(seen).toEqual([{ type: 'text', text: 'Hel' }]);
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('non-streaming', () => {
  test('the basic response fixture becomes text, reasoning and usage', async () => {
    const answer = await client().complete(request, new AbortController().signal);
    const expected = JSON.parse(fixture('response-basic.json')) as { choices: { message: { content: string } }[] };
    expect(answer.text).toBe(expected.choices[0]?.message.content);
    expect(answer.reasoning.length).toBeGreaterThan(0);
    expect(answer.usage?.reasoningTokens).toBe(921);
    expect(upstream.requests[0]?.body.stream).toBe(false);
  });
});
