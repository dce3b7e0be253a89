/**
 * How the fake Slack counts a method's calls. Slack documents tiers ("Tier 3:
 * 50+ per minute", "short bursts tolerated": docs.slack.dev "Rate limits") but
 * not how it counts them, so the fake offers both readings, and tests run under
 * each: a sliding window (the whole minute's budget may go in one burst) and a
 * token bucket (a small burst, then an even refill; 429s come long before 50).
 * A refused call is not counted, and its 429 carries `Retry-After` in whole
 * seconds: when the next call would be accepted.
 */

export type RateModel =
  | { readonly type: 'window'; readonly limit: number; readonly windowMs: number }
  | { readonly type: 'bucket'; readonly burst: number; readonly perMinute: number };

/** Which calls share a budget: every call in the workspace, or the calls in one channel. */
export type RateKeying = 'workspace' | 'channel';

export type RateVerdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterSec: number };

/** The two readings of Slack's tiers the issue names, per method, and chat.postMessage's per-channel pace. */
export const SLACK_MODELS: Record<'window' | 'bucket', Record<string, { model: RateModel; per: RateKeying }>> = {
  window: {
    'chat.update': { model: { type: 'window', limit: 50, windowMs: 60_000 }, per: 'workspace' },
    'chat.startStream': { model: { type: 'window', limit: 20, windowMs: 60_000 }, per: 'workspace' },
    'chat.stopStream': { model: { type: 'window', limit: 20, windowMs: 60_000 }, per: 'workspace' },
    'chat.appendStream': { model: { type: 'window', limit: 100, windowMs: 60_000 }, per: 'workspace' },
    'chat.postMessage': { model: { type: 'window', limit: 1, windowMs: 1000 }, per: 'channel' },
  },
  bucket: {
    'chat.update': { model: { type: 'bucket', burst: 20, perMinute: 50 }, per: 'workspace' },
    'chat.startStream': { model: { type: 'bucket', burst: 10, perMinute: 20 }, per: 'workspace' },
    'chat.stopStream': { model: { type: 'bucket', burst: 10, perMinute: 20 }, per: 'workspace' },
    'chat.appendStream': { model: { type: 'bucket', burst: 20, perMinute: 100 }, per: 'workspace' },
    'chat.postMessage': { model: { type: 'window', limit: 1, windowMs: 1000 }, per: 'channel' },
  },
};

/** One budget's state under a model. */
export class RateCounter {
  readonly #model: RateModel;
  readonly #now: () => number;
  /** Window: when accepted calls came. */
  #times: number[] = [];
  /** Bucket: tokens at `#at`. */
  #tokens: number;
  #at: number;

  constructor(model: RateModel, now: () => number) {
    this.#model = model;
    this.#now = now;
    this.#tokens = model.type === 'bucket' ? model.burst : 0;
    this.#at = now();
  }

  /** Counts one call if the budget takes it. */
  take(): RateVerdict {
    const now = this.#now();
    const model = this.#model;
    if (model.type === 'window') {
      this.#times = this.#times.filter((t) => now - t < model.windowMs);
      if (this.#times.length >= model.limit) return { ok: false, retryAfterSec: Math.max(1, Math.ceil(((this.#times[0] ?? now) + model.windowMs - now) / 1000)) };
      this.#times.push(now);
      return { ok: true };
    }
    const perMs = model.perMinute / 60_000;
    this.#tokens = Math.min(model.burst, this.#tokens + (now - this.#at) * perMs);
    this.#at = now;
    if (this.#tokens < 1) return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - this.#tokens) / perMs / 1000)) };
    this.#tokens -= 1;
    return { ok: true };
  }
}

/** The counters of several methods, keyed per workspace or per channel. */
export class RateLimits {
  readonly #now: () => number;
  readonly #rules = new Map<string, { model: RateModel; per: RateKeying }>();
  readonly #counters = new Map<string, RateCounter>();

  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  /** Budgets `method` under `model` (replacing any earlier rule and its count). */
  set(method: string, model: RateModel, per: RateKeying = 'workspace'): void {
    this.#rules.set(method, { model, per });
    for (const key of [...this.#counters.keys()]) if (key.startsWith(`${method}|`)) this.#counters.delete(key);
  }

  /** Budgets every method of one of `SLACK_MODELS`. */
  use(models: Record<string, { model: RateModel; per: RateKeying }>): void {
    for (const [method, rule] of Object.entries(models)) this.set(method, rule.model, rule.per);
  }

  /** Counts a call of `method` (in `channel`), or says when to come back. Unbudgeted methods always pass. */
  take(method: string, channel: string | undefined): RateVerdict {
    const rule = this.#rules.get(method);
    if (!rule) return { ok: true };
    const key = `${method}|${rule.per === 'channel' ? (channel ?? '') : ''}`;
    let counter = this.#counters.get(key);
    if (!counter) {
      counter = new RateCounter(rule.model, this.#now);
      this.#counters.set(key, counter);
    }
    return counter.take();
  }
}
