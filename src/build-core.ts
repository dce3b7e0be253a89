/** Builds the conversation core from configuration and an open store: shared by `npm start` and `npm run chat`. */
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { ConversationService, type FeedbackFacts, type TurnFacts } from './conversation/service.ts';
import { TurnGate } from './conversation/turn-gate.ts';
import { UnfinishedTurns } from './conversation/unfinished-turns.ts';
import { ContextHorizon } from './history/context-horizon.ts';
import { ModelChoiceStore } from './history/model-choice.ts';
import { PersonaStore } from './history/persona-store.ts';
import { HistoryStore } from './history/store.ts';
import { TokenQuotas } from './quota/token-quotas.ts';
import { WriteScheduler } from './render/scheduler.ts';
import type { Store } from './store/open-store.ts';
import { UpstreamClient } from './upstream/client.ts';

export interface CoreParts {
  readonly service: ConversationService;
  readonly scheduler: WriteScheduler;
  readonly history: HistoryStore;
  readonly unfinished: UnfinishedTurns;
  /** Daily token counts and limits; adapters read them for `/usage`. */
  readonly quotas: TokenQuotas;
}

export function buildCore(
  config: Config,
  store: Store,
  logger: Logger,
  hooks: {
    onTurnEnd?: (facts: TurnFacts) => void;
    onFeedback?: (facts: FeedbackFacts) => void;
    onRateLimited?: (scope: string, retryAfterMs: number) => void;
    onUpstreamRetry?: (kind: string, code: string | undefined) => void;
    onPlatformWrite?: (scope: string) => void;
    onTokensEstimated?: (model: string, tokens: number) => void;
  } = {},
): CoreParts {
  const upstream = new UpstreamClient({
    ...config.llm,
    onRetry: (error, attempt, waitMs) => {
      logger.warn({ kind: error.kind, status: error.status, code: error.code, traceId: error.traceId, attempt, waitMs }, 'upstream retry');
      hooks.onUpstreamRetry?.(error.kind, error.code);
    },
  });
  const history = new HistoryStore(store.keyv('history'), { records: store.records('history'), ttlMs: config.history.ttlMs });
  const modelChoice = new ModelChoiceStore(store.keyv('settings'), config.llm.models, config.llm.defaultModel);
  const scheduler = new WriteScheduler({
    // Redis stores share each scope's budget across instances; SQLite (one process) keeps it in memory.
    ledger: store.budgets,
    onWrite: hooks.onPlatformWrite,
    onRateLimited: (scope, retryAfterMs) => {
      logger.warn({ scope, retryAfterMs }, 'platform rate limit hit');
      hooks.onRateLimited?.(scope, retryAfterMs);
    },
  });
  const unfinished = new UnfinishedTurns(store.keyv('turns'), config.instanceId, {
    records: store.records('turns'),
    ttlMs: config.history.ttlMs,
    onError: (error) => logger.warn({ err: error }, 'could not save an answer in progress'),
  });
  const quotas = new TokenQuotas({ counters: store.counters, limits: config.quotas, timeZone: config.timeZone, onEstimated: hooks.onTokensEstimated });
  const service = new ConversationService({
    upstream,
    history,
    modelChoice,
    gate: new TurnGate(store.locks, config.turnQueueMax),
    scheduler,
    logger,
    models: config.llm.models,
    systemPrompt: config.systemPrompt,
    limits: { maxMessages: config.history.maxMessages, maxChars: config.history.maxChars, mediaTurns: 3 },
    attachmentMaxBytes: config.attachmentMaxBytes,
    attachmentTotalMaxBytes: config.attachmentTotalMaxBytes,
    documentMaxChars: config.documentMaxChars,
    contextMaxMessages: config.contextMaxMessages,
    timeZone: config.timeZone,
    personas: new PersonaStore(store.keyv('settings')),
    horizons: new ContextHorizon(store.keyv('history')),
    reasoningDisplay: config.reasoningDisplay,
    usageFooter: config.usageFooter,
    onTurnEnd: hooks.onTurnEnd,
    onFeedback: hooks.onFeedback,
    editFollowMs: config.editFollowMs,
    unfinished,
    stopBus: store.stopBus,
    quotas,
  });
  return { service, scheduler, history, unfinished, quotas };
}
