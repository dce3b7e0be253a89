/**
 * Keeps the turns of one conversation in the order people wrote them while each
 * is prepared at once: a turn may wait for a thread read or a name look-up that
 * the one before it does not, but reaches the core after it, so the core's
 * per-conversation queue sees them in order.
 */
export class TurnOrder {
  /** Per conversation, the newest turn's hand-over (settled once it reached the core, or failed to). */
  readonly #last = new Map<string, Promise<void>>();

  /** Runs `prepare` now, and `handOver` with its result once every earlier turn of `key` was handed over. */
  async run<T, R>(key: string, prepare: () => Promise<T>, handOver: (prepared: T) => R): Promise<R> {
    const previous = this.#last.get(key);
    const { promise: mine, resolve } = Promise.withResolvers<void>();
    this.#last.set(key, mine);
    try {
      const prepared = await prepare();
      await previous;
      // Not awaited: the next turn may follow as soon as this one is queued in the core.
      const handed = handOver(prepared);
      return handed;
    } finally {
      resolve();
      if (this.#last.get(key) === mine) this.#last.delete(key);
    }
  }
}
