/**
 * What an operator's log file holds: secrets never reach it, wherever they sit in
 * a log line. Each case logs through the real logger and reads the bytes written.
 */
import { Writable } from 'node:stream';
import { DiscordAPIError } from 'discord.js';
import { expect, test } from 'vitest';
import { createLogger } from '../src/logger.ts';

const LLM_KEY = 'sk-live-9f8e7d6c5b4a39281706';
const DISCORD_TOKEN = 'MTE5ODc2NTQzMjEwOTg3NjU0.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB';
const SLACK_BOT = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUv';

function capture(secrets: string[] = [LLM_KEY, DISCORD_TOKEN]) {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString('utf8');
      done();
    },
  });
  const logger = createLogger('debug', destination, { secrets });
  return { logger, text: () => written };
}

test('a token in a nested object and an authorization header are censored; other fields stay', () => {
  const { logger, text } = capture();
  logger.warn({ request: { headers: { authorization: 'Bot abc.def.ghi', 'content-type': 'application/json' }, body: { token: 'tok-123456789' } }, status: 401 }, 'request refused');
  const line = JSON.parse(text()) as { request: { headers: Record<string, string>; body: Record<string, string> }; status: number };
  expect(line.request.headers).toEqual({ authorization: '[redacted]', 'content-type': 'application/json' });
  expect(line.request.body.token).toBe('[redacted]');
  expect(line.status).toBe(401);
  expect(text()).not.toContain('abc.def.ghi');
  expect(text()).not.toContain('tok-123456789');
});

test("a DiscordAPIError's interaction and webhook tokens are cut out of its URL", () => {
  const { logger, text } = capture();
  const interactionToken = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA';
  const webhookToken = 'd2ViaG9vay10b2tlbi1zZWNyZXQtdmFsdWUtMTIzNDU2';
  const callback = new DiscordAPIError(
    { message: 'Unknown interaction', code: 10062 },
    10062,
    404,
    'POST',
    `https://discord.com/api/v10/interactions/1234567890123456789/${interactionToken}/callback`,
    { body: { type: 5 } },
  );
  const edit = new DiscordAPIError(
    { message: 'Invalid Webhook Token', code: 50027 },
    50027,
    401,
    'PATCH',
    `https://discord.com/api/v10/webhooks/1234567890123456789/${webhookToken}/messages/@original`,
    { body: { content: 'hi' } },
  );
  logger.error({ err: callback }, 'interaction reply failed');
  logger.error({ err: edit }, 'answer edit failed');
  expect(text()).not.toContain(interactionToken);
  expect(text()).not.toContain(webhookToken);
  const [first, second] = text().trim().split('\n').map((l) => JSON.parse(l) as { err: { type: string; url: string; status: number; message: string } });
  expect(first?.err).toMatchObject({ type: 'DiscordAPIError', status: 404, url: 'https://discord.com/api/v10/interactions/1234567890123456789/[redacted]/callback' });
  expect(second?.err.url).toBe('https://discord.com/api/v10/webhooks/1234567890123456789/[redacted]/messages/@original');
  expect(first?.err.message).toBe('Unknown interaction');
});

test('Slack tokens are censored in messages, fields and error texts', () => {
  const { logger, text } = capture();
  logger.info({ detail: `client built with ${SLACK_BOT}` }, `using xapp-1-A0123-456789-abcdef0123456789 for Socket Mode`);
  logger.warn({ err: new Error(`invalid_auth for xoxp-123-456-789-abcdef`) }, 'slack call failed');
  expect(text()).not.toMatch(/xox[bp]-\d/);
  expect(text()).not.toContain('xapp-1-A0123');
  expect(text()).toContain('xoxb-[redacted]');
  expect(text()).toContain('xapp-[redacted]');
});

test('the configured LLM key is censored wherever it appears, even under an innocent key or in a child binding', () => {
  const { logger, text } = capture();
  logger.child({ upstream: `https://api.example.test/v1?key=${LLM_KEY}` }).error({ body: `{"error":"bad key ${LLM_KEY}"}` }, `upstream said ${LLM_KEY} is invalid`);
  logger.info({ config: { llm: { apiKey: LLM_KEY, apiBase: 'https://api.example.test' } } }, 'configuration');
  expect(text()).not.toContain(LLM_KEY);
  expect(text()).toContain('https://api.example.test');
  const config = JSON.parse(text().trim().split('\n')[1] ?? '{}') as { config: { llm: { apiKey: string } } };
  expect(config.config.llm.apiKey).toBe('[redacted]');
});

test('the Discord bot token is censored as text, and an error keeps its type, message and stack', () => {
  const { logger, text } = capture();
  const err = new TypeError(`login failed with ${DISCORD_TOKEN}`, { cause: new Error('An invalid token was provided.') });
  logger.error({ err }, 'discord login failed');
  expect(text()).not.toContain(DISCORD_TOKEN);
  const line = JSON.parse(text()) as { err: { type: string; message: string; stack: string } };
  expect(line.err.type).toBe('TypeError');
  expect(line.err.message).toContain('login failed with [redacted]');
  expect(line.err.message).toContain('An invalid token was provided.');
  expect(line.err.stack).toContain('logger.test.ts');
});

test('a circular object is logged without hanging, and ordinary words are not censored', () => {
  const { logger, text } = capture(['short', LLM_KEY]);
  const loop: Record<string, unknown> = { name: 'loop', tokens: 42 };
  loop.self = loop;
  logger.info({ loop }, 'a short message about tokens');
  const line = JSON.parse(text()) as { msg: string; loop: Record<string, unknown> };
  expect(line.msg).toBe('a short message about tokens');
  expect(line.loop).toEqual({ name: 'loop', tokens: 42, self: '[Circular]' });
});
