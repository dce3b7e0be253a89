/**
 * The threads the bot takes part in, so follow-ups there need no mention. Kept in
 * memory and bounded (oldest forgotten first): after a restart, or for a thread
 * forgotten here, the adapter asks the core whether the conversation has history.
 */
export class ThreadMemory {
  readonly #max: number;
  readonly #threads = new Set<string>();

  constructor(max = 10_000) {
    this.#max = max;
  }

  add(conversationId: string): void {
    this.#threads.delete(conversationId);
    this.#threads.add(conversationId);
    if (this.#threads.size > this.#max) {
      const oldest = this.#threads.values().next();
      if (!oldest.done) this.#threads.delete(oldest.value);
    }
  }

  has(conversationId: string): boolean {
    return this.#threads.has(conversationId);
  }
}
