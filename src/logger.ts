/** The root logger: structured JSON (pino), secrets redacted wherever they appear in fields. */
import { pino, type Logger } from 'pino';

const REDACT = [
  'token',
  'apiKey',
  'authorization',
  '*.token',
  '*.apiKey',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'config.llm.apiKey',
  'config.discord.token',
  'config.slack.botToken',
  'config.slack.signingSecret',
  'config.slack.appToken',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'gemini-chat-bot' } };
  return destination ? pino(options, destination) : pino(options);
}
