/**
 * The bot's Prometheus metrics, on a registry of its own: two bots in one
 * process (or one test) never share a counter, and nothing touches
 * prom-client's global default registry.
 *
 * Label values are bounded on purpose. A Prometheus series exists per label
 * combination, so a channel id or a provider's free-form error code in a label
 * would grow the registry without limit: scopes are cut to their prefix
 * (`discord:edit:123` → `discord:edit`) and free-form values are checked
 * against a short pattern and otherwise counted as `other`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FeedbackFacts, TurnFacts } from '../conversation/service.ts';

export interface BotMetricsOptions {
  /** Prefix of the bot's own metric names (default `bot_`); Node's process metrics keep their usual names. */
  readonly prefix?: string;
  /** Also collect Node's process metrics (CPU, memory, event-loop lag, GC) on this registry (default true). */
  readonly processMetrics?: boolean;
}

/** Upstream failure kinds (src/upstream/errors.ts `UpstreamErrorKind`); other failure kinds are the bot's own. */
const UPSTREAM_KINDS = new Set(['bad-request', 'not-implemented', 'unauthorized', 'rate-limited', 'unavailable', 'broken-stream', 'timeout']);

/** Finish reasons worth a series of their own; any other reason is counted as `other`. */
const FINISH_REASONS = new Set(['stop', 'length', 'content_filter', 'tool_calls', 'safety', 'recitation']);

const SAFE_LABEL = /^[A-Za-z0-9_.:-]{1,40}$/;

/** A label value from outside: kept when short and plain, else `other`; missing is `none`. */
export const boundedLabel = (value: string | undefined): string => {
  if (value === undefined || value === '') return 'none';
  return SAFE_LABEL.test(value) ? value : 'other';
};

/** `discord:edit:123456` → `discord:edit`: the platform and the kind of write, never the channel. */
export const scopeLabel = (scopeKey: string): string => boundedLabel(scopeKey.split(':').slice(0, 2).join(':'));

/** Seconds from request to first upstream event: reasoning models often take several seconds. */
const FIRST_TOKEN_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];
/** Seconds a message waited for the answer before it in the same conversation. */
const QUEUE_WAIT_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600];
/** Seconds of one store operation: SQLite is sub-millisecond, Redis a round trip. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

export class BotMetrics {
  readonly #registry = new Registry();
  readonly #turns: Counter<'platform' | 'outcome' | 'kind'>;
  readonly #firstToken: Histogram<'platform' | 'model'>;
  readonly #upstreamErrors: Counter<'kind' | 'code'>;
  readonly #upstreamRetries: Counter<'kind' | 'code'>;
  readonly #tokens: Counter<'model' | 'kind'>;
  readonly #writes: Counter<'scope'>;
  readonly #rateLimited: Counter<'scope'>;
  readonly #queueWait: Histogram;
  readonly #store: Histogram<'operation' | 'result'>;
  readonly #feedback: Counter<'model' | 'rating'>;
  readonly #feedbackRetracted: Counter<'model' | 'rating'>;
  #activeTurns: () => number = () => 0;

  constructor(opts: BotMetricsOptions = {}) {
    const p = opts.prefix ?? 'bot_';
    const registers = [this.#registry];
    this.#turns = new Counter({
      name: `${p}turns_total`,
      help: 'Turns (user messages answered) by platform and outcome; kind is the failure kind, the finish reason or the quota reached.',
      labelNames: ['platform', 'outcome', 'kind'],
      registers,
    });
    this.#firstToken = new Histogram({
      name: `${p}upstream_first_token_seconds`,
      help: 'Time from the start of a turn to the first upstream event (reasoning or text).',
      labelNames: ['platform', 'model'],
      buckets: FIRST_TOKEN_BUCKETS,
      registers,
    });
    this.#upstreamErrors = new Counter({
      name: `${p}upstream_errors_total`,
      help: 'Turns that failed because of the upstream, by error kind and provider code.',
      labelNames: ['kind', 'code'],
      registers,
    });
    this.#upstreamRetries = new Counter({
      name: `${p}upstream_retries_total`,
      help: 'Upstream attempts that failed and were retried before any text was shown.',
      labelNames: ['kind', 'code'],
      registers,
    });
    this.#tokens = new Counter({
      name: `${p}tokens_total`,
      help:
        'Tokens by model and kind: prompt, completion and reasoning as the provider reported them (completion includes reasoning); ' +
        'estimated for answers without usage, counted from characters for quotas.',
      labelNames: ['model', 'kind'],
      registers,
    });
    this.#writes = new Counter({
      name: `${p}platform_writes_total`,
      help: 'Posts and edits sent to a platform, by rate scope prefix (e.g. discord:edit, slack:update).',
      labelNames: ['scope'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: `${p}platform_rate_limited_total`,
      help: 'Platform writes answered with 429, by rate scope prefix. The goal is 0.',
      labelNames: ['scope'],
      registers,
    });
    this.#queueWait = new Histogram({
      name: `${p}turn_queue_wait_seconds`,
      help: 'How long a message waited for the answer before it in the same conversation.',
      buckets: QUEUE_WAIT_BUCKETS,
      registers,
    });
    this.#store = new Histogram({
      name: `${p}store_operation_seconds`,
      help: 'Latency of history/settings/lock store operations, by operation and result.',
      labelNames: ['operation', 'result'],
      buckets: STORE_BUCKETS,
      registers,
    });
    // Counters only ever grow, so a changed vote is counted as what it is: a new vote for the new rating
    // (bot_feedback_total) and the old one withdrawn (bot_feedback_retracted_total). The votes standing
    // now are the difference: bot_feedback_total - bot_feedback_retracted_total, per model and rating.
    this.#feedback = new Counter({
      name: `${p}feedback_total`,
      help: 'Votes (👍 up, 👎 down) cast on answers, by the model that wrote the answer. A person who changes their vote adds one here and one to bot_feedback_retracted_total.',
      labelNames: ['model', 'rating'],
      registers,
    });
    this.#feedbackRetracted = new Counter({
      name: `${p}feedback_retracted_total`,
      help: 'Votes withdrawn because the same person changed their vote on the same answer, by model and the rating withdrawn.',
      labelNames: ['model', 'rating'],
      registers,
    });
    // collect() runs with `this` bound to the gauge, so it reads the reader through a closure.
    const activeTurns = () => this.#activeTurns();
    new Gauge({
      name: `${p}active_turns`,
      help: 'Answers in progress (waiting for their turn or streaming).',
      registers,
      collect() {
        this.set(activeTurns());
      },
    });
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.#registry });
  }

  /** The registry to serve at /metrics. */
  get registry(): Registry {
    return this.#registry;
  }

  /** One turn ended (wire to the core's `onTurnEnd`). */
  turnEnded(facts: TurnFacts): void {
    const { outcome } = facts;
    const platformLabel = boundedLabel(facts.platform);
    let kind = 'none';
    if (outcome.type === 'failed') kind = boundedLabel(outcome.kind);
    if (outcome.type === 'answered') kind = FINISH_REASONS.has(outcome.finishReason) ? outcome.finishReason : 'other';
    if (outcome.type === 'over-quota') kind = outcome.scope;
    this.#turns.inc({ platform: platformLabel, outcome: outcome.type, kind });
    if (outcome.type === 'failed' && UPSTREAM_KINDS.has(outcome.kind)) this.#upstreamErrors.inc({ kind: outcome.kind, code: boundedLabel(facts.errorCode ?? 'none') });

    const model = boundedLabel(facts.model);
    if (facts.firstTokenMs !== undefined) this.#firstToken.observe({ platform: platformLabel, model }, facts.firstTokenMs / 1000);
    if (facts.usage) {
      this.#tokens.inc({ model, kind: 'prompt' }, facts.usage.promptTokens);
      this.#tokens.inc({ model, kind: 'completion' }, facts.usage.completionTokens);
      this.#tokens.inc({ model, kind: 'reasoning' }, facts.usage.reasoningTokens);
    }
  }

  /** A 👍/👎 was recorded (wire to the core's `onFeedback`); a changed vote also withdraws the old one. */
  feedback(facts: FeedbackFacts): void {
    const model = boundedLabel(facts.model);
    this.#feedback.inc({ model, rating: facts.rating });
    if (facts.previous !== undefined) this.#feedbackRetracted.inc({ model, rating: facts.previous });
  }

  /** An answer came without usage and its tokens were estimated for quotas (wire to the quotas' `onEstimated`). */
  tokensEstimated(model: string, tokens: number): void {
    this.#tokens.inc({ model: boundedLabel(model), kind: 'estimated' }, tokens);
  }

  /** An upstream attempt failed and will be retried (wire to the upstream client's `onRetry`). */
  upstreamRetry(kind: string, code?: string): void {
    this.#upstreamRetries.inc({ kind: boundedLabel(kind), code: boundedLabel(code) });
  }

  /** A platform answered a write with 429 (wire to the write scheduler's `onRateLimited`). */
  rateLimited(scopeKey: string): void {
    this.#rateLimited.inc({ scope: scopeLabel(scopeKey) });
  }

  /** A post or edit was sent to a platform in `scopeKey`. */
  platformWrite(scopeKey: string): void {
    this.#writes.inc({ scope: scopeLabel(scopeKey) });
  }

  /** A message waited `ms` for its conversation's turn. */
  turnQueueWaited(ms: number): void {
    this.#queueWait.observe(ms / 1000);
  }

  /** One store operation took `ms`. */
  storeOperation(operation: string, ms: number, result: 'ok' | 'error'): void {
    this.#store.observe({ operation: boundedLabel(operation), result }, ms / 1000);
  }

  /** Reads the number of answers in progress at each scrape (e.g. `() => service.activeTurns`). */
  watchActiveTurns(read: () => number): void {
    this.#activeTurns = read;
  }
}
