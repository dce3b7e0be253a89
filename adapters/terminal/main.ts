/**
 * `npm run chat`: a conversation with the core in the terminal. Interactive on a
 * TTY; otherwise one message per input line, each answer printed, exit at EOF.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { buildCore } from '../../src/build-core.ts';
import { loadConfig, secretsOf } from '../../src/config.ts';
import { createLogger, logFile } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import { ChatSession, HELP } from './chat-session.ts';
import { terminalLocale } from './terminal-locale.ts';

const DEFAULT_CHAT_LOG = './data/chat.log';

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`Cannot start: configuration problems:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  const { config } = result;
  if (!config.llm.apiKey) {
    process.stderr.write('Cannot start: LLM_API_KEY is not set (the API key of the Gemini provider). See .env.example.\n');
    return 1;
  }
  // Logs go to a file, never to the screen: a warning or a stack trace in the middle of the
  // conversation would bury it. What went wrong reaches the user as the answer's one-line note.
  const logPath = config.logFile ?? DEFAULT_CHAT_LOG;
  const logger = createLogger(config.logLevel, logFile(logPath), { secrets: secretsOf(config) });
  const store = await openStore(config.storeUrl);
  const { service } = buildCore(config, store, logger);
  const session = new ChatSession(service, process.stdout, terminalLocale(config.locale, process.env));
  const interactive = process.stdin.isTTY === true;

  const lines = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  if (interactive) {
    process.stdout.write(`${HELP}\nModel: ${await service.modelFor('terminal:local', 'terminal')} · logs: ${logPath}\n`);
    lines.setPrompt('> ');
    lines.prompt();
    // Ctrl-C stops an answer being written; with nothing to stop, it leaves.
    lines.on('SIGINT', () => {
      if (!session.stopAnswer()) lines.close();
    });
  }
  try {
    for await (const line of lines) {
      if (!(await session.handle(line))) break;
      if (interactive) lines.prompt();
    }
  } finally {
    lines.close();
    await store.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Fatal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
