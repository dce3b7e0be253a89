/**
 * A fake of the provider that streams at a realistic pace: a long reasoning
 * phase first, then the answer, both at 150 tokens/s (~4 characters a token,
 * shared/research/platform-limits.md §3), one SSE chunk every 100 ms, in the
 * provider's chunk shape (the same as test/fakes/upstream.ts `answerTranscript`).
 *
 * The profile rides in the path, so one server serves every part of the bench:
 * `LLM_API_BASE = <url>/r5000/a1600` streams 5 s of reasoning, then 1,600 answer
 * characters. The answer is a pure function of the question (`answerFor`), so
 * the bench and the crowd tests know what each stream must end up showing. A
 * question carrying a tag (`[[crowd-3]] …`) is answered by its tag alone, so
 * whatever context the bot adds around the question does not change the answer.
 *
 * The bench runs it as its own process (`node test/fakes/paced-upstream.ts`, prints
 * `{"url":…}`), so the CPU and event loop it uses are not counted against the bot;
 * tests serve it in process (`servePacedUpstream`).
 */
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const TOKENS_PER_SECOND = 150;
export const CHARS_PER_TOKEN = 4;
const TICK_MS = 100;
const CHARS_PER_TICK = (TOKENS_PER_SECOND * CHARS_PER_TOKEN * TICK_MS) / 1000;

/** When the server streamed what, per request, in epoch milliseconds (performance.timeOrigin + now()). */
export interface StreamLog {
  readonly question: string;
  readonly startedAt: number;
  readonly firstAnswerAt: number;
  readonly doneAt: number;
  readonly reasoningChars: number;
  readonly answerChars: number;
}

const epochNow = () => performance.timeOrigin + performance.now();

const WORDS = (
  'the a of to and in is it that for on with as was by this be are from at or an have not which but all were when we there can ' +
  'stream answer model token thread channel message edit budget window limit queue request reply history store latency ' +
  'simple clear steady useful short long fast slow early late first last every other same new each own'
).split(' ');

/** A deterministic generator (mulberry32) seeded from the question, so both sides agree on the text. */
function random(seedText: string): () => number {
  let seed = 0;
  for (const ch of seedText) seed = (Math.imul(seed, 31) + (ch.codePointAt(0) ?? 0)) >>> 0;
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain prose of exactly `chars` characters: sentences and paragraphs, no Markdown, nothing to escape. */
function prose(seedText: string, chars: number): string {
  const next = random(seedText);
  let text = '';
  let sentence = 0;
  while (text.length < chars) {
    const words = Array.from({ length: 6 + Math.floor(next() * 10) }, () => WORDS[Math.floor(next() * WORDS.length)] ?? 'the');
    const first = words[0] ?? 'The';
    words[0] = first.charAt(0).toUpperCase() + first.slice(1);
    sentence += 1;
    text += `${words.join(' ')}.${sentence % 5 === 0 ? '\n\n' : ' '}`;
  }
  return text.slice(0, chars).trimEnd().padEnd(chars, '.');
}

/** What an answer is computed from: the question's `[[tag]]`, or the whole question without one. */
const seedOf = (question: string): string => /\[\[([^\]]+)\]\]/.exec(question)?.[1] ?? question;

/** The answer the server streams for `question`. */
export const answerFor = (question: string, chars: number): string => prose(`answer:${seedOf(question)}`, chars);

/** The reasoning: prose with a bold heading every ~1.5 s of streaming, as Gemini's thought summaries have. */
function reasoningFor(question: string, chars: number): string {
  const body = prose(`reasoning:${question}`, chars);
  let text = '';
  const step = Math.round(CHARS_PER_TICK * 15);
  for (let i = 0, n = 1; i < body.length; i += step, n += 1) text += `**Step ${n}: weighing the question**\n${body.slice(i, i + step)}\n`;
  return text.slice(0, chars);
}

function chunk(delta: Record<string, unknown>, finishReason: string | null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1763818842,
    model: 'gemini-2.5-pro',
    choices: [{ delta, logprobs: null, finish_reason: finishReason, index: 0 }],
    usage: null,
  })}\n\n`;
}

type Body = { messages?: { role: string; content: unknown }[] };

function lastUserText(body: Body): string {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) return last.content.map((p: { text?: string }) => p.text ?? '').join('\n');
  return '';
}

async function stream(res: ServerResponse, question: string, reasoningMs: number, answerChars: number, log: StreamLog[]): Promise<void> {
  const startedAt = epochNow();
  const reasoning = reasoningFor(seedOf(question), Math.round((reasoningMs / 1000) * TOKENS_PER_SECOND * CHARS_PER_TOKEN));
  const answer = answerFor(question, answerChars);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(chunk({ role: 'assistant', content: '' }, null));
  let closed = false;
  res.once('close', () => (closed = true));
  // Ticks are scheduled against the start time, so a late timer does not slow the whole stream down.
  let tick = 0;
  const wait = () => new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + ++tick * TICK_MS - epochNow())));
  for (let i = 0; i < reasoning.length && !closed; i += CHARS_PER_TICK) {
    await wait();
    res.write(chunk({ reasoning_content: reasoning.slice(i, i + CHARS_PER_TICK) }, null));
  }
  let firstAnswerAt = 0;
  for (let i = 0; i < answer.length && !closed; i += CHARS_PER_TICK) {
    await wait();
    firstAnswerAt ||= epochNow();
    res.write(chunk({ content: answer.slice(i, i + CHARS_PER_TICK) }, null));
  }
  if (closed) return;
  const reasoningTokens = Math.ceil(reasoning.length / CHARS_PER_TOKEN);
  const completionTokens = reasoningTokens + Math.ceil(answer.length / CHARS_PER_TOKEN);
  res.write(chunk({}, 'stop'));
  res.write(
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      model: 'gemini-2.5-pro',
      choices: [],
      usage: { prompt_tokens: 20, completion_tokens: completionTokens, total_tokens: 20 + completionTokens, completion_tokens_details: { reasoning_tokens: reasoningTokens } },
    })}\n\n`,
  );
  res.end('data: [DONE]\n\n');
  log.push({ question, startedAt, firstAnswerAt, doneAt: epochNow(), reasoningChars: reasoning.length, answerChars: answer.length });
}

/** Serves the paced provider in this process; `GET /log` answers every finished stream's timings. */
export async function servePacedUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const log: StreamLog[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/log') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(log));
      return;
    }
    const route = /^\/r(\d+)\/a(\d+)\/chat\/completions$/.exec(req.url ?? '');
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no such profile' } }));
        return;
      }
      const question = lastUserText(JSON.parse(Buffer.concat(parts).toString('utf8')) as Body);
      stream(res, question, Number(route[1]), Number(route[2]), log).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface PacedUpstream {
  readonly url: string;
  /** `LLM_API_BASE` for a profile. */
  base(reasoningMs: number, answerChars: number): string;
  log(): Promise<StreamLog[]>;
  close(): Promise<void>;
}

/** Starts the paced provider in a child process. */
export async function spawnPacedUpstream(): Promise<PacedUpstream> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`paced upstream exited (${code})`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return {
    url,
    base: (reasoningMs, answerChars) => `${url}/r${reasoningMs}/a${answerChars}`,
    log: async () => (await (await fetch(`${url}/log`)).json()) as StreamLog[],
    async close() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await servePacedUpstream();
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
