/**
 * A loopback fake of Slack's Web API and file hosts, for end-to-end tests that run
 * the real Bolt and @slack/web-api against it (`SLACK_API_URL=<fake>.apiUrl`).
 *
 * It answers the methods the bot calls with Slack's response shapes, takes bodies
 * the way @slack/web-api sends them (form-encoded, objects as JSON strings; JSON
 * bodies too), keeps the messages it was sent, enforces per-method budgets with
 * HTTP 429 + `Retry-After` (docs.slack.dev "Rate limits") under a selectable rate
 * model per method (rate-model.ts: a sliding window or a token bucket), serves files (or the
 * HTML login page Slack returns with status 200 when `files:read` is missing) and
 * records every request.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { type RateKeying, RateLimits, type RateModel, SLACK_MODELS } from './rate-model.ts';

export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  /** HTTP status the fake answered with. */
  readonly status: number;
  /** The Slack `error` code when `ok: false`. */
  readonly error: string | undefined;
}

export interface FakeSlackMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  /** How many times chat.update replaced it. */
  updates: number;
  /** Native streaming: the `markdown_text` it received, joined in order (what the user reads). */
  markdown?: string;
  /** Native streaming: whether the stream is still open (startStream until stopStream, or until Slack ends it). */
  streaming?: boolean;
  /** Deleted by chat.delete (kept here so tests can see it was there). */
  deleted?: boolean;
}

/** A request to a file URL or response_url (anything outside /api/). */
export interface OtherRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeFile {
  readonly id: string;
  readonly name: string;
  readonly mimetype: string;
  readonly bytes: Uint8Array;
  /** `login-page`: answer the download with Slack's HTML sign-in page and status 200. */
  readonly mode?: 'file' | 'login-page';
}

/** A scripted answer for the next calls of a method. */
export type Failure = { readonly type: 'rate-limited'; readonly retryAfterSec: number } | { readonly type: 'error'; readonly error: string } | { readonly type: 'http'; readonly status: number };

export interface FakeSlack {
  /** Base URL of the fake (`http://127.0.0.1:<port>/`). */
  readonly url: string;
  /** Use as SLACK_API_URL. */
  readonly apiUrl: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly calls: SlackCall[];
  readonly messages: FakeSlackMessage[];
  readonly otherRequests: OtherRequest[];
  /** At most `limit` successful calls of `method` per `windowMs` (a sliding window, per workspace); more get 429 with `Retry-After`. */
  budget(method: string, budget: { limit: number; windowMs: number }): void;
  /** Budgets `method` under `model`, counted per workspace or per channel; more get 429 with `Retry-After`. */
  rateModel(method: string, model: RateModel, per?: RateKeying): void;
  /** Budgets chat.update, the streaming methods and chat.postMessage under one of the two readings of Slack's tiers (rate-model.ts). */
  slackRates(reading: 'window' | 'bucket'): void;
  /** The next `times` calls of `method` get `failure`. */
  fail(method: string, times: number, failure: Failure): void;
  /**
   * Native streaming switches: `refuse` answers every chat.startStream with that error
   * (a workspace without native streaming); `endAfterAppends` ends each stream after that
   * many successful chat.appendStream calls, as Slack does about 5 minutes in.
   */
  streams(opts: { refuse?: string | undefined; endAfterAppends?: number | undefined }): void;
  /** Registers a file; returns it as Slack puts it on a message event's `files`. */
  addFile(file: FakeFile): Record<string, unknown>;
  /** A URL the fake answers that records what it was sent (for `response_url`). */
  responseUrl(name: string): string;
  /** Resolves with the first call (past or future) matching `match`. */
  waitForCall(match: (call: SlackCall) => boolean): Promise<SlackCall>;
  /** Resolves with the first non-API request (past or future) matching `match`. */
  waitForOther(match: (req: OtherRequest) => boolean): Promise<OtherRequest>;
  /**
   * Socket Mode: sends an envelope to the connected bot (`events_api` with an
   * event_callback body, `slash_commands`, `interactive`) and resolves with the
   * payload of its ack.
   */
  socketSend(type: 'events_api' | 'slash_commands' | 'interactive', payload: Record<string, unknown>, opts?: { retryAttempt?: number; retryReason?: string }): Promise<unknown>;
  /** How many Socket Mode connections are open. */
  socketConnections(): number;
  /** The messages posted in a thread (or the channel when `threadTs` is undefined), oldest first. */
  thread(channel: string, threadTs: string): FakeSlackMessage[];
  close(): Promise<void>;
}

const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to your workspace</body></html>';

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // @slack/web-api sends objects and arrays (blocks, metadata) as JSON strings.
    if (/^[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON: keep the string
      }
    }
    args[key] = value;
  }
  return args;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeSlack(
  opts: { teamId?: string; botUserId?: string; botId?: string; botToken?: string } = {},
): Promise<FakeSlack> {
  const botToken = opts.botToken ?? 'xoxb-test';
  const teamId = opts.teamId ?? 'T0001';
  const botUserId = opts.botUserId ?? 'UBOT';
  const botId = opts.botId ?? 'BBOT';
  const emitter = new EventEmitter();
  const calls: SlackCall[] = [];
  const messages: FakeSlackMessage[] = [];
  const otherRequests: OtherRequest[] = [];
  const files = new Map<string, FakeFile>();
  const rates = new RateLimits();
  const failures = new Map<string, Failure[]>();
  let tsCounter = 0;
  let base = '';
  let streamRules: { refuse?: string | undefined; endAfterAppends?: number | undefined } = {};
  const appendsByTs = new Map<string, number>();

  const nextTs = () => {
    tsCounter += 1;
    return `1700000000.${String(tsCounter).padStart(6, '0')}`;
  };

  const fileObject = (file: FakeFile) => ({
    id: file.id,
    name: file.name,
    title: file.name,
    mimetype: file.mimetype,
    filetype: file.mimetype.split('/')[1] ?? 'bin',
    size: file.bytes.byteLength,
    url_private: `${base}files-pri/${teamId}-${file.id}/${encodeURIComponent(file.name)}`,
    url_private_download: `${base}files-pri/${teamId}-${file.id}/download/${encodeURIComponent(file.name)}`,
  });

  /** Runs one Web API method; returns the status, headers and JSON body to send. */
  const runMethod = (method: string, args: Record<string, unknown>): { status: number; headers?: Record<string, string>; body: Record<string, unknown> } => {
    const scripted = failures.get(method);
    const failure = scripted?.shift();
    if (failure) {
      if (failure.type === 'rate-limited') return { status: 429, headers: { 'retry-after': String(failure.retryAfterSec) }, body: { ok: false, error: 'ratelimited' } };
      if (failure.type === 'http') return { status: failure.status, body: { ok: false, error: 'fatal_error' } };
      return { status: 200, body: { ok: false, error: failure.error } };
    }
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    const verdict = rates.take(method, channel);
    if (!verdict.ok) return { status: 429, headers: { 'retry-after': String(verdict.retryAfterSec) }, body: { ok: false, error: 'ratelimited' } };
    switch (method) {
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'bot', team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false } };
      case 'chat.postMessage': {
        if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        const text = typeof args.text === 'string' ? args.text : '';
        if (text === '' && args.blocks === undefined) return { status: 200, body: { ok: false, error: 'no_text' } };
        const message: FakeSlackMessage = {
          channel,
          ts: nextTs(),
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : undefined,
          text,
          blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
          updates: 0,
        };
        messages.push(message);
        return { status: 200, body: { ok: true, channel, ts: message.ts, message: { type: 'message', user: botUserId, bot_id: botId, text, ts: message.ts, thread_ts: message.threadTs, blocks: message.blocks } } };
      }
      case 'chat.startStream': {
        if (streamRules.refuse) return { status: 200, body: { ok: false, error: streamRules.refuse } };
        if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        // Streams are thread replies; bot tokens need the recipient (docs.slack.dev chat.startStream).
        if (typeof args.thread_ts !== 'string') return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
        if (typeof args.recipient_user_id !== 'string') return { status: 200, body: { ok: false, error: 'missing_recipient_user_id' } };
        if (typeof args.recipient_team_id !== 'string') return { status: 200, body: { ok: false, error: 'missing_recipient_team_id' } };
        const markdown = typeof args.markdown_text === 'string' ? args.markdown_text : '';
        if (markdown.length > 12_000) return { status: 200, body: { ok: false, error: 'msg_too_long' } };
        const message: FakeSlackMessage = { channel, ts: nextTs(), threadTs: args.thread_ts, text: '', blocks: undefined, updates: 0, markdown, streaming: true };
        messages.push(message);
        return { status: 200, body: { ok: true, channel, ts: message.ts } };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const message = messages.find((m) => m.channel === channel && m.ts === args.ts);
        if (!message) return { status: 200, body: { ok: false, error: 'message_not_found' } };
        if (!message.streaming) return { status: 200, body: { ok: false, error: 'message_not_in_streaming_state' } };
        const markdown = typeof args.markdown_text === 'string' ? args.markdown_text : '';
        if (markdown.length > 12_000) return { status: 200, body: { ok: false, error: 'msg_too_long' } };
        if (method === 'chat.appendStream') {
          if (markdown === '') return { status: 200, body: { ok: false, error: 'no_text' } };
          const appends = (appendsByTs.get(message.ts) ?? 0) + 1;
          appendsByTs.set(message.ts, appends);
          if (streamRules.endAfterAppends !== undefined && appends > streamRules.endAfterAppends) {
            message.streaming = false;
            return { status: 200, body: { ok: false, error: 'message_not_in_streaming_state' } };
          }
          message.markdown = (message.markdown ?? '') + markdown;
          return { status: 200, body: { ok: true, channel, ts: message.ts } };
        }
        message.markdown = (message.markdown ?? '') + markdown;
        message.blocks = Array.isArray(args.blocks) ? args.blocks : undefined;
        message.streaming = false;
        return { status: 200, body: { ok: true, channel, ts: message.ts, message: { type: 'message', user: botUserId, bot_id: botId, ts: message.ts, thread_ts: message.threadTs, blocks: message.blocks } } };
      }
      case 'chat.delete': {
        const message = messages.find((m) => m.channel === channel && m.ts === args.ts && !m.deleted);
        if (!message) return { status: 200, body: { ok: false, error: 'message_not_found' } };
        message.deleted = true;
        return { status: 200, body: { ok: true, channel, ts: message.ts } };
      }
      case 'chat.update': {
        const message = messages.find((m) => m.channel === channel && m.ts === args.ts);
        if (!message) return { status: 200, body: { ok: false, error: 'message_not_found' } };
        if (message.streaming) return { status: 200, body: { ok: false, error: 'streaming_state_conflict' } };
        message.text = typeof args.text === 'string' ? args.text : message.text;
        message.blocks = Array.isArray(args.blocks) ? args.blocks : undefined;
        message.updates += 1;
        return { status: 200, body: { ok: true, channel, ts: message.ts, text: message.text, message: { type: 'message', user: botUserId, text: message.text, blocks: message.blocks } } };
      }
      case 'chat.postEphemeral':
        return { status: 200, body: { ok: true, message_ts: nextTs() } };
      case 'reactions.add':
      case 'assistant.threads.setStatus':
        return { status: 200, body: { ok: true } };
      case 'files.info': {
        const file = typeof args.file === 'string' ? files.get(args.file) : undefined;
        if (!file) return { status: 200, body: { ok: false, error: 'file_not_found' } };
        return { status: 200, body: { ok: true, file: fileObject(file) } };
      }
      case 'apps.connections.open':
        return { status: 200, body: { ok: true, url: `${base.replace('http', 'ws')}socket` } };
      case 'conversations.info':
        return { status: 200, body: { ok: true, channel: { id: channel, name: 'general', is_channel: true } } };
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  };

  const serveOther = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const match = /^\/files-pri\/[^/]+-([^/]+)\//.exec(path);
    if (match) {
      const file = files.get(match[1] ?? '');
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      if (file.mode === 'login-page' || req.headers.authorization !== `Bearer ${botToken}`) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LOGIN_PAGE);
        return;
      }
      res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.byteLength) }).end(Buffer.from(file.bytes));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    readBody(req)
      .then((raw) => {
        if (path.startsWith('/api/')) {
          const method = path.slice('/api/'.length);
          const args = parseBody(raw, req.headers['content-type']);
          const result = runMethod(method, args);
          const call: SlackCall = {
            method,
            args,
            headers: req.headers,
            status: result.status,
            error: result.body.ok === false ? String(result.body.error) : undefined,
          };
          calls.push(call);
          res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', ...result.headers }).end(JSON.stringify(result.body));
          emitter.emit('call', call);
          return;
        }
        const other: OtherRequest = { path, headers: req.headers, body: raw };
        otherRequests.push(other);
        serveOther(req, res, path);
        emitter.emit('other', other);
      })
      .catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
  });
  // Socket Mode: apps.connections.open hands out ws://…/socket; Slack says hello, then sends envelopes the app acks.
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (payload: unknown) => void>();
  let envelopeCounter = 0;
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/socket')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (ack.envelope_id) acks.get(ack.envelope_id)?.(ack.payload);
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.size, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } }));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}/`;

  const waitFor = <T>(list: T[], event: string, match: (item: T) => boolean): Promise<T> => {
    const found = list.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const listener = (item: T) => {
        if (!match(item)) return;
        emitter.off(event, listener);
        resolve(item);
      };
      emitter.on(event, listener);
    });
  };

  return {
    url: base,
    apiUrl: `${base}api/`,
    teamId,
    botUserId,
    botId,
    calls,
    messages,
    otherRequests,
    budget(method, b) {
      rates.set(method, { type: 'window', limit: b.limit, windowMs: b.windowMs });
    },
    rateModel(method, model, per) {
      rates.set(method, model, per);
    },
    slackRates(reading) {
      rates.use(SLACK_MODELS[reading]);
    },
    fail(method, times, failure) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < times; i += 1) list.push(failure);
      failures.set(method, list);
    },
    streams(rules) {
      streamRules = { ...streamRules, ...rules };
    },
    addFile(file) {
      files.set(file.id, file);
      return fileObject(file);
    },
    responseUrl(name) {
      return `${base}respond/${name}`;
    },
    waitForCall: (match) => waitFor(calls, 'call', match),
    waitForOther: (match) => waitFor(otherRequests, 'other', match),
    socketSend(type, payload, sendOpts = {}) {
      const socket = [...sockets][0];
      if (!socket) return Promise.reject(new Error('no Socket Mode connection'));
      envelopeCounter += 1;
      const envelopeId = `env-${envelopeCounter}`;
      return new Promise((resolve) => {
        acks.set(envelopeId, resolve);
        socket.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type !== 'events_api',
            retry_attempt: sendOpts.retryAttempt ?? 0,
            retry_reason: sendOpts.retryReason ?? '',
          }),
        );
      });
    },
    socketConnections: () => sockets.size,
    thread: (channel, threadTs) => messages.filter((m) => m.channel === channel && m.threadTs === threadTs && !m.deleted),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.terminate();
        wss.close();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
