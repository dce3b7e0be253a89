/**
 * The one Redis connection a Store shares between Keyv, locks and dedupe,
 * configured so an outage shows up as a prompt error instead of a hang:
 * - `disableOfflineQueue`: while disconnected, commands reject at once
 *   (ClientOfflineError) instead of queueing until Redis returns;
 * - `commandOptions.timeout`: a command sent to a Redis that stopped answering
 *   (half-open TCP, a paused server) rejects after this long;
 * - `reconnectStrategy`: never give up; back off exponentially to a cap, with
 *   jitter so many bots do not reconnect in lockstep.
 * See @redis/client `RedisClientOptions` and `RedisSocketOptions`.
 */
import { createClient } from '@keyv/redis';

export interface RedisClientSettings {
  /** Per-command deadline. */
  readonly commandTimeoutMs?: number;
  /** Deadline for one TCP connect + handshake attempt. */
  readonly connectTimeoutMs?: number;
  /** Upper bound of the reconnect backoff. */
  readonly maxReconnectDelayMs?: number;
}

export function createRedisClient(url: string, settings: RedisClientSettings = {}) {
  const maxDelay = settings.maxReconnectDelayMs ?? 2000;
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: settings.commandTimeoutMs ?? 2000 },
    socket: {
      connectTimeout: settings.connectTimeoutMs ?? 2000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, maxDelay) + Math.floor(Math.random() * 50),
    },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;
