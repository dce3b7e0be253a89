/**
 * `npm start`: reads the configuration, opens the store, builds the core and
 * starts every platform whose settings are present.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { AdapterDeps, RunningAdapter } from './adapter.ts';
import { buildCore } from './build-core.ts';
import { loadConfig, secretsOf, type Config } from './config.ts';
import type { ConversationService } from './conversation/service.ts';
import { createLogger, logFile } from './logger.ts';
import { startHealthServer, type HealthServer, type Readiness } from './observability/health-server.ts';
import { instrumentStore } from './observability/instrument-store.ts';
import { BotMetrics } from './observability/metrics.ts';
import { openStore, type Store } from './store/open-store.ts';
import type { StoreError } from './store/store-error.ts';
import type { Locale } from './i18n/locale.ts';
import { userTextIn } from './user-text.ts';

/** A configuration mistake: shown as a list of problems, never as a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`configuration problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Store failures nobody awaits (a dropped Redis connection retries for ever): logged once per 30 s, not per attempt. */
function throttledStoreLog(logger: Logger): (err: StoreError) => void {
  let last = 0;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < 30_000) {
      suppressed++;
      return;
    }
    logger.warn({ err, operation: err.operation, suppressed }, 'store error');
    last = now;
    suppressed = 0;
  };
}

/** Ready when the store answers (within 2 s) and every platform is connected. */
async function readiness(store: Store, adapters: readonly RunningAdapter[]): Promise<Readiness> {
  const checks: Record<string, boolean> = {};
  checks.store = await store.ping(AbortSignal.timeout(2000)).then(
    () => true,
    () => false,
  );
  for (const adapter of adapters) checks[adapter.platform] = adapter.isReady();
  return { ready: Object.values(checks).every(Boolean), checks };
}

export interface RunningBot {
  readonly config: Config;
  readonly core: ConversationService;
  readonly adapters: readonly RunningAdapter[];
  readonly store: Store;
  readonly metrics: BotMetrics;
  /** Where /healthz and /metrics are served, when HEALTH_PORT is set. */
  readonly healthUrl: string | undefined;
  /** Stops taking events, lets streaming turns end (up to `graceMs`), then closes the store. */
  stop(graceMs?: number): Promise<void>;
}

/** Validates the configuration for serving platforms; throws ConfigError naming every problem. */
export function configForServing(env: Record<string, string | undefined>): Config {
  const result = loadConfig(env);
  if (!result.ok) throw new ConfigError(result.problems);
  const { config } = result;
  const problems: string[] = [];
  if (!config.llm.apiKey) problems.push('LLM_API_KEY: required (the API key of the Gemini provider)');
  if (!config.discord && !config.slack) {
    problems.push(
      `no platform is configured. For Discord set ${config.missing.discord.join(', ')}; for Slack set ${config.missing.slack.join(' and ')}.`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export async function startBot(opts: {
  env: Record<string, string | undefined>;
  logger?: Logger;
  /** How adapters download files (Discord's CDN, Slack's file host); tests route it to their fakes. */
  fetch?: typeof fetch;
}): Promise<RunningBot> {
  const config = configForServing(opts.env);
  const logger = opts.logger ?? createLogger(config.logLevel, config.logFile ? logFile(config.logFile) : undefined, { secrets: secretsOf(config) });
  const metrics = new BotMetrics();
  const store = instrumentStore(await openStore(config.storeUrl, { onError: throttledStoreLog(logger) }), metrics);
  const { service, unfinished, scheduler, quotas } = buildCore(config, store, logger, {
    onTurnEnd: (facts) => metrics.turnEnded(facts),
    onFeedback: (facts) => metrics.feedback(facts),
    onRateLimited: (scope) => metrics.rateLimited(scope),
    onUpstreamRetry: (kind, code) => metrics.upstreamRetry(kind, code),
    onPlatformWrite: (scope) => metrics.platformWrite(scope),
    onTokensEstimated: (model, tokens) => metrics.tokensEstimated(model, tokens),
  });
  metrics.watchActiveTurns(() => service.activeTurns);
  const deps: AdapterDeps = {
    core: service,
    logger,
    dedupe: store.dedupe,
    settings: store.keyv('settings'),
    attachmentMaxBytes: config.attachmentMaxBytes,
    contextMaxMessages: config.contextMaxMessages,
    editFollowMs: config.editFollowMs,
    locale: config.locale,
    usage: quotas,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };

  const adapters: RunningAdapter[] = [];
  let health: HealthServer | undefined;
  try {
    if (config.discord) {
      const { startDiscordAdapter } = await import('../adapters/discord/index.ts');
      adapters.push(await startDiscordAdapter({ ...deps, logger: logger.child({ platform: 'discord' }), config: config.discord }));
    }
    if (config.slack) {
      const { startSlackAdapter } = await import('../adapters/slack/index.ts');
      adapters.push(await startSlackAdapter({ ...deps, logger: logger.child({ platform: 'slack' }), config: config.slack }));
    }
    if (config.healthPort !== undefined) {
      health = await startHealthServer({ port: config.healthPort, metrics, readiness: () => readiness(store, adapters) });
    }
  } catch (error) {
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await store.close();
    throw error;
  }
  logger.info({ platforms: adapters.map((a) => a.platform), store: store.kind, health: health?.url }, 'bot started');
  const reopen = (address: string, locale: Locale) => adapters.find((a) => address.startsWith(`${a.platform}:`))?.reopen?.(address, locale);
  // Marks wait their turn in the platforms' budgets, behind live answers; a shutdown stops them.
  const recovery = new AbortController();
  unfinished
    .start({ reopen, marker: (locale) => userTextIn(locale).interrupted, scheduler, signal: recovery.signal })
    .then((report) => {
      if (report.marked + report.gone + report.failed > 0) logger.info({ ...report }, 'marked answers a crashed run left unfinished');
    })
    .catch((error: unknown) => logger.warn({ err: error }, 'could not mark unfinished answers'));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000) =>
    (stopping ??= (async () => {
      await Promise.allSettled(adapters.map((a) => a.stop()));
      recovery.abort();
      await service.drain(graceMs);
      await unfinished.stop().catch((error: unknown) => logger.warn({ err: error }, 'could not remove the instance heartbeat'));
      await health?.close();
      await store.close();
      logger.info('bot stopped');
    })());
  return { config, core: service, adapters, store, metrics, healthUrl: health?.url, stop };
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let bot: RunningBot;
  try {
    bot = await startBot({ env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Cannot start: ${error.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void bot.stop().then(() => process.exit(0));
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`Fatal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
