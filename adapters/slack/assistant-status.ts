/**
 * The status line of one answer in an assistant thread (`assistant.threads.setStatus`):
 * "is thinking…" or the latest reasoning heading until the answer starts, then cleared
 * (an empty status). Only the latest wanted status matters, so calls are made one at a
 * time, latest wins, and a second apart: Slack limits this method like chat.postMessage,
 * about one call per second per channel (java-slack-sdk MethodsRateLimits,
 * `SpecialTier_assistant_threads_setStatus`). A 429 is waited out, then the latest is sent.
 */
import type { AiCallResult } from './ai-surface.ts';

/** Gives up on a status after this many 429s in a row. */
const MAX_RATE_LIMITED = 3;

export interface AssistantStatusLineOptions {
  /** Sends one status ('' clears it). */
  readonly send: (status: string) => Promise<AiCallResult>;
  /** Least time between two calls (default 1 s). */
  readonly minGapMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Waits without keeping the process alive for it. */
export const unrefSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export class AssistantStatusLine {
  readonly #o: AssistantStatusLineOptions;
  readonly #minGapMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #wanted = '';
  /** What Slack shows now, as far as the bot knows ('' before the first call). */
  #shown = '';
  #lastCallAt: number | undefined;
  #draining: Promise<void> | undefined;

  constructor(opts: AssistantStatusLineOptions) {
    this.#o = opts;
    this.#minGapMs = opts.minGapMs ?? 1000;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? unrefSleep;
  }

  /** Asks for `status` ('' clears); never throws. */
  set(status: string): void {
    this.#wanted = status;
    // A drain under way sends the latest wanted status before it ends.
    if (!this.#draining && this.#wanted !== this.#shown) this.#draining = this.#drain();
  }

  /** Resolves once the latest wanted status was sent, or given up. */
  async settled(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Called only with a status to send, so it awaits before it can end: `#draining` is set by then. */
  async #drain(): Promise<void> {
    try {
      await this.#sendWanted();
    } finally {
      this.#draining = undefined;
    }
  }

  async #sendWanted(): Promise<void> {
    let rateLimited = 0;
    while (this.#wanted !== this.#shown) {
      const wait = this.#lastCallAt === undefined ? 0 : this.#lastCallAt + this.#minGapMs - this.#now();
      if (wait > 0) await this.#sleep(wait);
      const status = this.#wanted;
      const result = await this.#o.send(status);
      // Counted from the answer: Slack counts from when the call arrived, which is later than it was sent.
      this.#lastCallAt = this.#now();
      if (result.type === 'rate-limited' && rateLimited < MAX_RATE_LIMITED) {
        rateLimited += 1;
        await this.#sleep(result.retryAfterMs);
        continue;
      }
      rateLimited = 0;
      // Sent, or given up: either way this status is not sent again.
      this.#shown = status;
    }
  }
}
