/**
 * Turns start one per event-loop turn. Starting a turn is a burst of synchronous work
 * (its store reads, its context, the upstream request), and a crowd of questions that
 * arrives together would otherwise start in one go: hundreds of them stall every answer
 * already streaming for as long as they take (0.3 s for 500). Spread over the loop's
 * turns, each start costs the others under a millisecond, and the answers that follow
 * are not all paced in step. A turn alone starts at once.
 */
// The real setImmediate, not the global a test's fake clock may replace: this only orders work.
import { setImmediate } from 'node:timers';

export class TurnStarts {
  readonly #waiting: Array<() => void> = [];
  /** A turn started during this turn of the event loop: the next waits for the next one. */
  #startedThisLoop = false;

  /** Resolves when this turn may start: at once when no other started in this turn of the loop. */
  next(): Promise<void> {
    if (!this.#startedThisLoop) {
      this.#startedThisLoop = true;
      setImmediate(() => this.#release());
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const start = this.#waiting.shift();
    if (!start) {
      this.#startedThisLoop = false;
      return;
    }
    start();
    // Scheduled from within the check phase, so it runs in the next turn of the loop, after timers and I/O.
    setImmediate(() => this.#release());
  }
}
