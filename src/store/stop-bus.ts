/**
 * Stop presses that land on another instance. A Stop button (Slack's in
 * particular, whose clicks go to any replica) may reach an instance that is not
 * the one streaming that answer; the press is published on Redis and the
 * instance that owns the turn stops it. One process (SQLite) needs no bus.
 */
import type { RedisClient } from './redis-client.ts';
import { toStoreError, type StoreError } from './store-error.ts';

export interface StopBus {
  /** Tells every instance to stop `turnId` if it is streaming it. */
  publish(turnId: string): Promise<void>;
  /** Called with each stop published by any instance (this one included). */
  onStop(handler: (turnId: string) => void): void;
}

const CHANNEL = 'bot:stop';

export class RedisStopBus implements StopBus {
  readonly #client: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #handlers: ((turnId: string) => void)[] = [];
  readonly #onError: (err: StoreError) => void;

  constructor(client: RedisClient, opts: { onError?: (err: StoreError) => void } = {}) {
    this.#client = client;
    // A connection in subscribe mode takes no other commands: it gets one of its own.
    this.#subscriber = client.duplicate();
    this.#onError = opts.onError ?? (() => undefined);
    this.#subscriber.on('error', (err: unknown) => this.#onError(toStoreError(err, 'stop-bus')));
  }

  /** Connects the subscriber; @redis/client subscribes again by itself after a reconnect. */
  async start(): Promise<void> {
    await this.#subscriber.connect();
    await this.#subscriber.subscribe(CHANNEL, (turnId) => {
      for (const handler of this.#handlers) handler(turnId);
    });
  }

  async publish(turnId: string): Promise<void> {
    try {
      await this.#client.publish(CHANNEL, turnId);
    } catch (err) {
      throw toStoreError(err, 'stop-bus.publish');
    }
  }

  onStop(handler: (turnId: string) => void): void {
    this.#handlers.push(handler);
  }

  close(): void {
    this.#subscriber.destroy();
  }
}
