/**
 * The threads the bot takes part in, so follow-ups there need no mention, and
 * which of them it started (answering a message at the top of a channel or DM):
 * those need no reading of the thread, everything in them reached the bot. Kept
 * in memory and bounded (oldest forgotten first): after a restart, or for a
 * thread forgotten here, the adapter asks the core whether the conversation has
 * history, and reads the thread again (the core keeps what it already holds out).
 */
export class ThreadMemory {
  readonly #max: number;
  /** Conversation id → whether the bot started the thread. */
  readonly #threads = new Map<string, boolean>();

  constructor(max = 10_000) {
    this.#max = max;
  }

  /** Records that the bot takes part in the thread; `started` once it answered the thread's first message. */
  add(conversationId: string, started = false): void {
    const wasStarted = this.#threads.get(conversationId) ?? false;
    this.#threads.delete(conversationId);
    this.#threads.set(conversationId, wasStarted || started);
    if (this.#threads.size > this.#max) {
      const oldest = this.#threads.keys().next();
      if (!oldest.done) this.#threads.delete(oldest.value);
    }
  }

  has(conversationId: string): boolean {
    return this.#threads.has(conversationId);
  }

  /** True when the bot answered the thread's first message, as far as this process knows. */
  started(conversationId: string): boolean {
    return this.#threads.get(conversationId) === true;
  }
}
