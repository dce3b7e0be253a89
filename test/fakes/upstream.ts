/**
 * A loopback fake of the provider's chat-completions API. By default it replays
 * the provider's own published stream transcript byte for byte; tests can script
 * other answers, errors and broken streams for the next requests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The provider's published examples: `../shared/seed-api/fixtures` beside the repository (SEED_API_FIXTURES overrides). */
const FIXTURES = process.env.SEED_API_FIXTURES
  ? `${process.env.SEED_API_FIXTURES.replace(/\/+$/, '')}/`
  : fileURLToPath(new URL('../../../shared/seed-api/fixtures/', import.meta.url));

/** Reads one of the provider's fixtures (`stream-reasoning-zh.sse`, `error.json`, …). */
export function fixture(name: string): string {
  if (!existsSync(FIXTURES)) {
    throw new Error(`the provider's fixtures are not at ${FIXTURES}: the tests expect shared/seed-api beside the repository (or set SEED_API_FIXTURES)`);
  }
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

/** The answer text of a fixture stream: its `delta.content` values joined. */
export function fixtureAnswer(name = 'stream-reasoning-zh.sse'): string {
  let text = '';
  for (const line of fixture(name).split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string } }[] };
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return text;
}

export type FakeResponse =
  /** Replays a fixture file as the body (`text/event-stream` for .sse, JSON otherwise). */
  | { type: 'replay'; fixture: string; status?: number; chunkSize?: number; cutAfterBytes?: number }
  /** Streams `text` as content deltas (after optional reasoning), in `chunkSize`-char pieces. */
  | { type: 'answer'; text: string; reasoning?: string; chunkSize?: number; finishReason?: string; usage?: boolean }
  /** An error status with a body (JSON object or raw string) and optional headers. */
  | { type: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  /** Raw SSE text written in the given pieces, then the connection ends. */
  | { type: 'raw'; pieces: string[]; contentType?: string }
  /** Writes `pieces`, then holds the connection open until the client goes away. */
  | { type: 'hang'; pieces?: string[] };

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: {
    model: string;
    stream?: boolean;
    max_tokens?: number;
    messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[];
  };
}

export interface FakeUpstream {
  /** Use as LLM_API_BASE. */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Queues responses for the next requests, in order; unscripted requests get the default. */
  script(...responses: FakeResponse[]): void;
  /** Resolves once at least `n` requests have arrived. */
  waitForRequests(n: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

function sseChunk(delta: Record<string, unknown>, finishReason: string | null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1763818842,
    model: 'gemini-2.5-pro',
    system_fingerprint: null,
    choices: [{ delta, logprobs: null, finish_reason: finishReason, index: 0 }],
    usage: null,
  })}\n\n`;
}

/** The SSE transcript of an answer, in the provider's shape. */
export function answerTranscript(r: Extract<FakeResponse, { type: 'answer' }>): string[] {
  const size = r.chunkSize ?? 40;
  const pieces = [sseChunk({ content: '', role: 'assistant' }, null)];
  const reasoning = r.reasoning ?? '';
  for (let i = 0; i < reasoning.length; i += size) pieces.push(sseChunk({ reasoning_content: reasoning.slice(i, i + size) }, null));
  const chars = Array.from(r.text);
  for (let i = 0; i < chars.length; i += size) pieces.push(sseChunk({ content: chars.slice(i, i + size).join('') }, null));
  pieces.push(sseChunk({}, r.finishReason ?? 'stop'));
  if (r.usage !== false) {
    pieces.push(
      `data: ${JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1763818842,
        model: 'gemini-2.5-pro',
        system_fingerprint: '',
        choices: [],
        usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, completion_tokens_details: { reasoning_tokens: 5 } },
      })}\n\n`,
    );
  }
  pieces.push('data: [DONE]\n\n');
  return pieces;
}

export interface FakeUpstreamOptions {
  /** Accept only `Authorization: Bearer <apiKey>`; any other key gets 401 `invalid_token`. Unset: any key. */
  readonly apiKey?: string;
  /** The models the provider offers; any other gets 400 `api_not_implemented`. Unset: any model. */
  readonly models?: readonly string[];
}

/** An error answer in the provider's shape (fixtures/error.json), with the status and code the seed-api README lists. */
function providerError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ success: false, error: { code, message }, trace_id: `fake-trace-${code}` }));
}

export async function startFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  fixture('stream-reasoning-zh.sse'); // fail here, clearly, rather than as a hung request
  const requests: ReceivedRequest[] = [];
  const queue: FakeResponse[] = [];
  const waiters: { n: number; resolve: (r: ReceivedRequest[]) => void }[] = [];
  const open = new Set<ServerResponse>();

  const respond = async (res: ServerResponse, response: FakeResponse, stream: boolean) => {
    switch (response.type) {
      case 'replay': {
        const body = Buffer.from(fixture(response.fixture), 'utf8');
        const sse = response.fixture.endsWith('.sse');
        res.writeHead(response.status ?? 200, { 'content-type': sse ? 'text/event-stream' : 'application/json' });
        const end = response.cutAfterBytes ?? body.length;
        const size = response.chunkSize ?? body.length;
        for (let i = 0; i < end; i += size) res.write(body.subarray(i, Math.min(i + size, end)));
        res.end();
        return;
      }
      case 'answer': {
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({
            id: 'chatcmpl-fake', object: 'chat.completion', model: 'gemini-2.5-pro',
            choices: [{ index: 0, message: { role: 'assistant', content: response.text, reasoning_content: response.reasoning ?? '' }, finish_reason: response.finishReason ?? 'stop' }],
            usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
          }));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const piece of answerTranscript(response)) res.write(piece);
        res.end();
        return;
      }
      case 'error': {
        const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
        res.writeHead(response.status, { 'content-type': typeof response.body === 'string' ? 'text/html' : 'application/json', ...response.headers });
        res.end(body);
        return;
      }
      case 'raw': {
        res.writeHead(200, { 'content-type': response.contentType ?? 'text/event-stream' });
        for (const piece of response.pieces) res.write(piece);
        res.end();
        return;
      }
      case 'hang': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const piece of response.pieces ?? []) res.write(piece);
        return; // left open; closed when the client aborts or the fake closes
      }
    }
  };

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      let body: ReceivedRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as ReceivedRequest['body'];
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: false, error: { code: 'token_mismatched', message: 'invalid json' }, trace_id: 'fake-trace' }));
        return;
      }
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      for (const w of waiters.filter((w) => requests.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(requests.slice());
      }
      // The key is checked before anything else, as a gateway in front of the models does.
      if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        providerError(res, 401, 'invalid_token', 'invalid token');
        return;
      }
      if (opts.models !== undefined && !opts.models.includes(body.model)) {
        providerError(res, 400, 'api_not_implemented', `model ${body.model} is not supported`);
        return;
      }
      const stream = body.stream === true;
      const response: FakeResponse =
        queue.shift() ?? (stream ? { type: 'replay', fixture: 'stream-reasoning-zh.sse' } : { type: 'replay', fixture: 'response-basic.json' });
      void respond(res, response, stream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1/gemini`,
    requests,
    script: (...responses) => void queue.push(...responses),
    waitForRequests: (n) =>
      requests.length >= n ? Promise.resolve(requests.slice()) : new Promise((resolve) => waiters.push({ n, resolve })),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
