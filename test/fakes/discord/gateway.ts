/**
 * The fake Gateway: a WebSocket speaking Discord's v10 protocol (JSON, no compression).
 * HELLO (op 10) on connect; IDENTIFY (op 2) → READY with the guild unavailable, then
 * GUILD_CREATE; HEARTBEAT (op 1) → HEARTBEAT_ACK (op 11); RESUME is refused with
 * INVALID_SESSION (op 9, d=false) so the client identifies again. Dispatches are
 * filtered by the intents the client identified with, as Discord does, so a client
 * without DirectMessages never hears about DMs and one without MessageContent gets
 * empty `content` for messages that do not mention it.
 * Source: discord-api-docs developers/events/gateway.mdx; @discordjs/ws WebSocketShard.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayIntentBits, GatewayOpcodes } from 'discord-api-types/v10';
import { WebSocket, WebSocketServer } from 'ws';

export interface GatewayIdentity {
  readonly token: string;
  readonly intents: number;
  readonly shard: readonly [number, number];
}

interface Session {
  readonly socket: WebSocket;
  identity: GatewayIdentity | undefined;
  seq: number;
}

export interface GatewayHooks {
  readonly token: string;
  /** READY's `d` for this identity (minus session fields the gateway adds). */
  ready(identity: GatewayIdentity): { user: unknown; guilds: { id: string; unavailable: true }[]; application: unknown };
  /** GUILD_CREATE payloads to send after READY, for the guilds this shard owns. */
  guildCreates(identity: GatewayIdentity): Record<string, unknown>[];
}

export interface DispatchFilter {
  /** Guild the event belongs to (for shard routing); undefined for DMs. */
  readonly guildId: string | undefined;
  /** Intent bits of which the client must hold at least one. */
  readonly intents: number;
  /** Rewrites the payload for one client (e.g. strip content without MessageContent). */
  readonly forClient?: (identity: GatewayIdentity) => unknown;
}

export class FakeGateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Set<Session>();
  readonly #hooks: GatewayHooks;
  readonly #heartbeatIntervalMs: number;
  readonly #readyWaiters: ((identity: GatewayIdentity) => void)[] = [];
  /** Every IDENTIFY received, in order. */
  readonly identifies: GatewayIdentity[] = [];

  constructor(hooks: GatewayHooks, opts: { heartbeatIntervalMs?: number } = {}) {
    this.#hooks = hooks;
    this.#heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 41_250;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
  }

  /** Resolves once a client has identified and been sent READY and its guilds. */
  waitForReady(): Promise<GatewayIdentity> {
    const ready = [...this.#sessions].find((s) => s.identity);
    if (ready?.identity) return Promise.resolve(ready.identity);
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Sends a dispatch (op 0) to every identified session that should receive it. */
  dispatch(t: string, d: unknown, filter: DispatchFilter): void {
    for (const session of this.#sessions) {
      const identity = session.identity;
      if (!identity || (identity.intents & filter.intents) === 0) continue;
      if (filter.guildId !== undefined && !ownsGuild(identity.shard, filter.guildId)) continue;
      this.#send(session, { op: GatewayOpcodes.Dispatch, t, s: ++session.seq, d: filter.forClient ? filter.forClient(identity) : d });
    }
  }

  async close(): Promise<void> {
    for (const session of this.#sessions) session.socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    const session: Session = { socket, identity: undefined, seq: 0 };
    this.#sessions.add(session);
    socket.on('close', () => this.#sessions.delete(session));
    socket.on('message', (raw) => this.#onMessage(session, raw.toString()));
    this.#send(session, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.#heartbeatIntervalMs }, s: null, t: null });
  }

  #onMessage(session: Session, raw: string): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(raw) as { op?: unknown; d?: unknown };
    } catch {
      session.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.#send(session, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        return;
      case GatewayOpcodes.Identify:
        this.#identify(session, payload.d as { token?: string; intents?: number; shard?: [number, number] });
        return;
      case GatewayOpcodes.Resume:
        this.#send(session, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
        return;
      default:
        return; // presence updates etc.: accepted and ignored
    }
  }

  #identify(session: Session, d: { token?: string; intents?: number; shard?: [number, number] }): void {
    if (session.identity) {
      session.socket.close(4005, 'Already authenticated.');
      return;
    }
    if (d.token !== this.#hooks.token) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    const identity: GatewayIdentity = { token: d.token, intents: d.intents ?? 0, shard: d.shard ?? [0, 1] };
    this.identifies.push(identity);
    session.identity = identity;
    const ready = this.#hooks.ready(identity);
    this.#send(session, {
      op: GatewayOpcodes.Dispatch,
      t: 'READY',
      s: ++session.seq,
      d: {
        v: 10,
        ...ready,
        session_id: `session-${this.identifies.length}`,
        resume_gateway_url: 'ws://127.0.0.1:1/unused',
        shard: identity.shard,
      },
    });
    if ((identity.intents & GatewayIntentBits.Guilds) !== 0) {
      for (const guild of this.#hooks.guildCreates(identity)) {
        this.#send(session, { op: GatewayOpcodes.Dispatch, t: 'GUILD_CREATE', s: ++session.seq, d: guild });
      }
    }
    for (const waiter of this.#readyWaiters.splice(0)) waiter(identity);
  }

  #send(session: Session, payload: unknown): void {
    if (session.socket.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(payload));
  }
}

/** Discord's shard formula: (guild_id >> 22) % num_shards. */
export function ownsGuild(shard: readonly [number, number], guildId: string): boolean {
  return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];
}
