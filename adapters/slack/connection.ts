/**
 * Whether Slack can reach the bot over Socket Mode, for /healthz: while the
 * WebSocket is connected, from Slack's `hello` until it closes. @slack/socket-mode
 * reconnects by itself after a drop; readiness follows it down and back up.
 * (In HTTP mode the adapter asks its server whether it is listening.)
 */
import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';

/** The states @slack/socket-mode's client emits on its way down (SocketModeClient `State`, and `close` from its WebSocket). */
const DOWN = ['connecting', 'reconnecting', 'disconnecting', 'disconnected', 'close'] as const;

export class SocketConnection {
  #connected = false;

  constructor(client: SocketModeReceiver['client'], log: Logger) {
    client.on('connected', () => {
      if (!this.#connected) log.info('slack socket connected');
      this.#connected = true;
    });
    for (const state of DOWN) {
      client.on(state, () => {
        if (this.#connected) log.warn({ state }, 'slack socket lost; reconnecting');
        this.#connected = false;
      });
    }
  }

  get connected(): boolean {
    return this.#connected;
  }
}

