/**
 * The fake Gateway: a WebSocket speaking Discord's v10 protocol (JSON, no compression).
 * HELLO (op 10) on connect; IDENTIFY (op 2) → READY with the guild unavailable, then
 * GUILD_CREATE; HEARTBEAT (op 1) → HEARTBEAT_ACK (op 11); RESUME (op 6) of a known
 * session on a new connection replays the dispatches it missed and sends RESUMED, an
 * unknown one gets INVALID_SESSION (op 9, d=false). `drop()` closes every connection
 * with a resumable code, as Discord does when it moves a session. Dispatches are
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
  socket: WebSocket;
  identity: GatewayIdentity | undefined;
  seq: number;
  /** Set at IDENTIFY; a later connection may RESUME it. */
  id: string | undefined;
  /** Every dispatch sent in this session, to replay what a resuming client missed. */
  readonly sent: { s: number; payload: unknown }[];
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
  /** Identified sessions by id, kept after their connection closes so they can be resumed. */
  readonly #byId = new Map<string, Session>();
  /** Every IDENTIFY received, in order. */
  readonly identifies: GatewayIdentity[] = [];
  /** Session ids resumed, in order. */
  readonly resumes: string[] = [];
  /** The ws:// URL clients resume at (READY's `resume_gateway_url`); set once the server listens. */
  url = 'ws://127.0.0.1:1/unset';

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
    // Sessions whose connection dropped still count: their dispatches wait for a RESUME.
    for (const session of new Set([...this.#sessions, ...this.#byId.values()])) {
      const identity = session.identity;
      if (!identity || (identity.intents & filter.intents) === 0) continue;
      if (filter.guildId !== undefined && !ownsGuild(identity.shard, filter.guildId)) continue;
      this.#dispatchTo(session, t, filter.forClient ? filter.forClient(identity) : d);
    }
  }

  /** Closes every connection with a resumable close code; clients reconnect and RESUME. */
  drop(code = 4000): void {
    for (const session of this.#sessions) session.socket.close(code, 'Session moved; resume.');
  }

  async close(): Promise<void> {
    // Every socket, including one a dropped session left closing: the server closes once none is left.
    for (const socket of this.#wss.clients) socket.terminate();
    this.#sessions.clear();
    this.#byId.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    // The session this connection speaks for: a new one, until a RESUME names an old one.
    const connection = { session: { socket, identity: undefined, seq: 0, id: undefined, sent: [] } as Session };
    this.#sessions.add(connection.session);
    // A resumed session may have moved to another socket by the time this one reports closing.
    socket.on('close', () => connection.session.socket === socket && this.#sessions.delete(connection.session));
    socket.on('message', (raw) => this.#onMessage(connection, raw.toString()));
    this.#send(connection.session, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.#heartbeatIntervalMs }, s: null, t: null });
  }

  #dispatchTo(session: Session, t: string, d: unknown): void {
    const payload = { op: GatewayOpcodes.Dispatch, t, s: ++session.seq, d };
    session.sent.push({ s: payload.s, payload });
    this.#send(session, payload);
  }

  /** A new connection takes over a known session: replays what it missed, then RESUMED. */
  #resume(connection: { session: Session }, d: { token?: string; session_id?: string; seq?: number }): void {
    const session = d.session_id === undefined ? undefined : this.#byId.get(d.session_id);
    if (!session || d.token !== this.#hooks.token) {
      this.#send(connection.session, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    this.#sessions.delete(connection.session);
    session.socket = connection.session.socket;
    connection.session = session;
    this.#sessions.add(session);
    this.resumes.push(session.id ?? '');
    for (const missed of session.sent.filter((m) => m.s > (d.seq ?? 0))) this.#send(session, missed.payload);
    this.#dispatchTo(session, 'RESUMED', null);
  }

  #onMessage(connection: { session: Session }, raw: string): void {
    const session = connection.session;
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
        this.#resume(connection, payload.d as { token?: string; session_id?: string; seq?: number });
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
    session.id = `session-${this.identifies.length}`;
    this.#byId.set(session.id, session);
    const ready = this.#hooks.ready(identity);
    this.#dispatchTo(session, 'READY', { v: 10, ...ready, session_id: session.id, resume_gateway_url: this.url, shard: identity.shard });
    if ((identity.intents & GatewayIntentBits.Guilds) !== 0) {
      for (const guild of this.#hooks.guildCreates(identity)) this.#dispatchTo(session, 'GUILD_CREATE', guild);
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
