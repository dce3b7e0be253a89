/**
 * The client of the provider's OpenAI-style chat-completions API
 * (`POST {base}/chat/completions`, ../shared/seed-api/README.md).
 *
 * Retries 429, 5xx, network failures and timeouts with exponential backoff and
 * full jitter, honouring `Retry-After`, but only until the first event has been
 * yielded: after that the user has seen text, and a retry would show it twice.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { errorFromResponse } from './error-response.ts';
import { UpstreamError } from './errors.ts';
import type { UpstreamEvent, Usage } from './events.ts';
import type { ChatRequest } from './request.ts';
import { readEventStream } from './sse-events.ts';
import { completionSchema, toUsage } from './wire.ts';

export interface UpstreamClientOptions {
  readonly apiBase: string;
  readonly apiKey: string | undefined;
  /** Longest a whole answer may take. */
  readonly timeoutMs: number;
  /** Longest the stream may stay silent (no bytes at all) before it counts as dead. */
  readonly idleTimeoutMs: number;
  readonly maxRetries: number;
  /** First backoff step; doubles per attempt, capped at 20 s. */
  readonly backoffBaseMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Told about each retry, for logs and metrics. */
  readonly onRetry?: (error: UpstreamError, attempt: number, waitMs: number) => void;
}

export interface CompleteAnswer {
  readonly text: string;
  readonly reasoning: string;
  readonly finishReason: string;
  readonly usage: Usage | undefined;
}

const MAX_BACKOFF_MS = 20_000;

export class UpstreamClient {
  readonly #opts: UpstreamClientOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;

  constructor(opts: UpstreamClientOptions) {
    this.#opts = opts;
    this.#fetch = opts.fetch ?? fetch;
    this.#now = opts.now ?? Date.now;
  }

  /** Streams one answer as typed events. Throws `UpstreamError`, or the signal's reason when aborted. */
  async *stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<UpstreamEvent> {
    for (let attempt = 0; ; attempt++) {
      let yielded = false;
      try {
        for await (const event of this.#streamOnce(request, signal)) {
          yielded = true;
          yield event;
        }
        return;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const upstreamError = asUpstreamError(error);
        if (yielded || !upstreamError.retryable || attempt >= this.#opts.maxRetries) throw upstreamError;
        await this.#backoff(upstreamError, attempt, signal);
      }
    }
  }

  /** One answer as a whole (`stream: false`), with the same retries. */
  async complete(request: ChatRequest, signal: AbortSignal): Promise<CompleteAnswer> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.#post(request, false, signal, () => undefined);
        const parsed = completionSchema.safeParse(await response.json());
        if (!parsed.success) throw new UpstreamError('broken-stream', 'upstream answer has an unknown shape', { cause: parsed.error });
        const choice = parsed.data.choices[0];
        return {
          text: choice?.message.content ?? '',
          reasoning: choice?.message.reasoning_content ?? '',
          finishReason: choice?.finish_reason ?? 'stop',
          usage: parsed.data.usage ? toUsage(parsed.data.usage) : undefined,
        };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const upstreamError = asUpstreamError(error);
        if (!upstreamError.retryable || attempt >= this.#opts.maxRetries) throw upstreamError;
        await this.#backoff(upstreamError, attempt, signal);
      }
    }
  }

  async *#streamOnce(request: ChatRequest, signal: AbortSignal): AsyncGenerator<UpstreamEvent> {
    const idle = new IdleTimer(this.#opts.idleTimeoutMs);
    const total = AbortSignal.timeout(this.#opts.timeoutMs);
    const combined = AbortSignal.any([signal, total, idle.signal]);
    try {
      const response = await this.#post(request, true, combined, () => idle.touch());
      if (!response.body) throw new UpstreamError('broken-stream', 'upstream answered without a body');
      yield* readEventStream(response.body, () => idle.touch());
    } catch (error) {
      if (!signal.aborted && (total.aborted || idle.signal.aborted)) {
        throw new UpstreamError('timeout', total.aborted ? 'upstream answer took too long' : 'upstream stream went silent', { cause: error });
      }
      throw error;
    } finally {
      idle.stop();
    }
  }

  async #post(request: ChatRequest, stream: boolean, signal: AbortSignal, onResponse: () => void): Promise<Response> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#opts.apiBase}/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#opts.apiKey ?? ''}`,
          'content-type': 'application/json',
          accept: stream ? 'text/event-stream' : 'application/json',
        },
        body: JSON.stringify({
          model: request.model,
          messages: request.messages,
          stream,
          ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
        }),
        signal,
      });
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw new UpstreamError('unavailable', 'could not reach the upstream API', { cause });
    }
    onResponse();
    if (!response.ok) throw await errorFromResponse(response, this.#now());
    return response;
  }

  async #backoff(error: UpstreamError, attempt: number, signal: AbortSignal): Promise<void> {
    const base = this.#opts.backoffBaseMs ?? 500;
    const exponential = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt);
    const jittered = Math.round(exponential * (0.5 + (this.#opts.random ?? Math.random)() / 2));
    const waitMs = Math.max(jittered, Math.min(error.retryAfterMs ?? 0, 60_000));
    this.#opts.onRetry?.(error, attempt + 1, waitMs);
    await delay(waitMs, undefined, { signal });
  }
}

function asUpstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  return new UpstreamError('unavailable', 'the upstream connection failed', { cause: error });
}

/** Aborts its signal when `touch()` has not been called for `ms`. */
class IdleTimer {
  readonly #controller = new AbortController();
  readonly #ms: number;
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.#ms = ms;
    this.#timer = this.#arm();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  touch(): void {
    this.#timer.refresh();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #arm(): NodeJS.Timeout {
    return setTimeout(() => this.#controller.abort(new Error('idle timeout')), this.#ms);
  }
}
