import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { fixtureAnswer, startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});

/** Runs `npm run chat`'s entry with `lines` on stdin (not a TTY) and collects what it prints. */
function chat(lines: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const logFile = join(mkdtempSync(join(tmpdir(), 'chat-log-')), 'chat.log');
  const child = spawn(process.execPath, ['adapters/terminal/main.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', LLM_API_BASE: upstream.url, LLM_API_KEY: 'sk-test', STORE_URL: 'sqlite://:memory:', LOG_FILE: logFile, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('a scripted chat prints each answer and a follow-up carries the conversation so far', async () => {
  const result = await chat(['Hello,What model are you?', 'And who trained you?']);
  expect(result.code).toBe(0);
  expect(result.stdout.split(fixtureAnswer()).length - 1).toBe(2);
  const second = upstream.requests[1]?.body;
  expect(second?.messages.slice(1)).toEqual([
    { role: 'user', content: 'Hello,What model are you?' },
    { role: 'assistant', content: fixtureAnswer() },
    { role: 'user', content: 'And who trained you?' },
  ]);
  expect(second?.messages[0]?.role).toBe('system');
});

test('/attach sends an image URL and a local file as image_url parts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-'));
  const png = join(dir, 'cat.png');
  writeFileSync(png, Buffer.from('89504e470d0a1a0a', 'hex'));
  const result = await chat([`/attach https://cdn.example.test/photo.png`, `/attach ${png}`, '圖片的內容是什麼?']);
  expect(result.code).toBe(0);
  expect(upstream.requests[0]?.body.messages.at(-1)).toEqual({
    role: 'user',
    content: [
      { type: 'text', text: '圖片的內容是什麼?' },
      { type: 'image_url', image_url: { url: 'https://cdn.example.test/photo.png' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ],
  });
});

test('/model switches the model of the next request and /models lists them', async () => {
  const result = await chat(['/models', '/model gemini-3.1-pro', 'hi', '/model nope']);
  expect(result.stdout).toContain('`gemini-2.5-pro` (current)');
  expect(upstream.requests[0]?.body.model).toBe('gemini-3.1-pro');
  expect(result.stdout).toContain('There is no model called `nope`');
});

test('/reset forgets the conversation', async () => {
  await chat(['first question', '/reset', 'second question']);
  expect(upstream.requests[1]?.body.messages.slice(1)).toEqual([{ role: 'user', content: 'second question' }]);
});

test('an upstream error is shown with its trace id and the chat goes on', async () => {
  upstream.script({
    type: 'error',
    status: 401,
    body: { success: false, error: { code: 'invalid_token', message: 'bad key' }, trace_id: 'trace-401' },
  });
  const result = await chat(['hi', 'again']);
  expect(result.stdout).toContain("The bot's API key is not accepted");
  expect(result.stdout).toContain('trace-401');
  expect(result.stdout).toContain(fixtureAnswer());
});

test('a failure that logs a warning with a stack shows only its one-line note; the details go to the log file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-log-'));
  const logFile = join(dir, 'logs', 'chat.log');
  upstream.script({
    type: 'error',
    status: 401,
    body: { success: false, error: { code: 'invalid_token', message: 'bad key' }, trace_id: 'trace-401' },
  });
  const result = await chat(['hi'], { LOG_FILE: logFile, LOG_LEVEL: 'debug' });
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  const shown = result.stdout.trim().split('\n');
  expect(shown).toHaveLength(1);
  expect(shown[0]).toContain("The bot's API key is not accepted");
  expect(shown[0]).toContain('trace-401');

  const logged = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { msg: string; err?: { stack?: string }; traceId?: string });
  const failure = logged.find((entry) => entry.msg === 'upstream failed');
  expect(failure?.traceId).toBe('trace-401');
  expect(failure?.err?.stack).toMatch(/\n\s+at /);
});

test('without an API key the chat says which setting is missing', async () => {
  const result = await chat(['hi'], { LLM_API_KEY: '' });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('LLM_API_KEY');
});

test('the conversation survives a restart on the SQLite store', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'chat-store-')), 'bot.sqlite');
  await chat(['remember the word kumquat'], { STORE_URL: `sqlite://${file}` });
  await chat(['what was the word?'], { STORE_URL: `sqlite://${file}` });
  expect(upstream.requests[1]?.body.messages.slice(1)).toEqual([
    { role: 'user', content: 'remember the word kumquat' },
    { role: 'assistant', content: fixtureAnswer() },
    { role: 'user', content: 'what was the word?' },
  ]);
});
