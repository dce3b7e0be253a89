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
import { FakeSlackAi, type FakeAgentSession, type FakeAppKind, type FakeAssistantThread } from './ai-methods.ts';
import { blocksProblem } from './blocks.ts';
import { FakeSlackThreads, tsMicros, tsOfMicros, type FakeThreadMessage } from './threads.ts';
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

/** A member of the fake workspace, as users.info describes them. */
export interface FakeSlackUser {
  readonly id: string;
  readonly name: string;
  /** Slack's profile names; `real_name` falls back to `name`, `display_name` is often empty. */
  readonly realName?: string;
  readonly displayName?: string;
  readonly isAdmin?: boolean;
  readonly isOwner?: boolean;
  readonly locale?: string;
  readonly isBot?: boolean;
}

/** The people every fake workspace starts with: Alice (who asks in most tests), Bob, an admin and an owner. */
export const FAKE_SLACK_USERS: readonly FakeSlackUser[] = [
  { id: 'U0ALICE', name: 'alice', locale: 'en-US' },
  { id: 'U0BOB', name: 'bob', locale: 'de-DE' },
  { id: 'U0ADMIN', name: 'admin', isAdmin: true, locale: 'en-GB' },
  { id: 'U0OWNER', name: 'owner', isOwner: true, locale: 'ja-JP' },
];

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
  /** Threads people talk in (conversations.replies); their people are added with `addUser`. */
  readonly threads: FakeSlackThreads;
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
  /** Adds (or replaces) a member of the workspace, for users.info. */
  addUser(user: FakeSlackUser): void;
  /** A channel the bot is not a member of: writes there get `not_in_channel`, as Slack answers without `chat:write.public`. */
  notInChannel(channel: string): void;
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
  /**
   * Drops every Socket Mode connection, as Slack does when it recycles a server. With
   * `holdHello`, connections opened afterwards get no `hello` until `releaseHello()`: the
   * app is not connected until then, however soon it reconnects.
   */
  dropSockets(opts?: { holdHello?: boolean }): void;
  releaseHello(): void;
  /** The messages posted in a thread (or the channel when `threadTs` is undefined), oldest first. */
  thread(channel: string, threadTs: string): FakeSlackMessage[];
  /** An assistant thread as the user sees it (status line, title, suggested prompts); created empty on first look. */
  assistantThread(channel: string, threadTs: string): FakeAssistantThread;
  /** The agent session of a thread, once agents.sessions.setStatus created it. */
  agentSession(channel: string, threadTs: string): FakeAgentSession | undefined;
  /**
   * A user presses the native stop button of the thread's agent session: Slack stops the
   * app's streams in progress there (appends and stops then fail as not streaming) and
   * sends `agent_session_stopped`, returned here for the test to deliver. The session's
   * status stays as it was: the app must move it (docs.slack.dev events/agent_session_stopped).
   */
  pressSessionStop(channel: string, threadTs: string, user: string): Record<string, unknown>;
  close(): Promise<void>;
}

/** The bot scopes of an app installed from manifest.yaml (oauth_config.scopes.bot), as Slack grants them. */
export const MANIFEST_SCOPES: readonly string[] = [
  'app_mentions:read',
  'chat:write',
  'channels:history',
  'groups:history',
  'im:history',
  'mpim:history',
  'files:read',
  'commands',
  'users:read',
  'im:write',
  'channels:read',
  'groups:read',
  'mpim:read',
  'assistant:write',
];

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
  opts: {
    teamId?: string;
    botUserId?: string;
    botId?: string;
    botToken?: string;
    /** The scopes the bot token holds, sent in `x-oauth-scopes`; defaults to the manifest's. */
    scopes?: readonly string[];
    /** The only app-level token apps.connections.open accepts; unset: any `xapp-` token. */
    appToken?: string;
    /** Which messaging experience the app declares (manifest.yaml: the agent's). */
    app?: FakeAppKind;
  } = {},
): Promise<FakeSlack> {
  const botToken = opts.botToken ?? 'xoxb-test';
  const scopes = opts.scopes ?? MANIFEST_SCOPES;
  const teamId = opts.teamId ?? 'T0001';
  const botUserId = opts.botUserId ?? 'UBOT';
  const botId = opts.botId ?? 'BBOT';
  const emitter = new EventEmitter();
  const calls: SlackCall[] = [];
  const messages: FakeSlackMessage[] = [];
  const otherRequests: OtherRequest[] = [];
  const files = new Map<string, FakeFile>();
  const users = new Map(FAKE_SLACK_USERS.map((u) => [u.id, u]));
  // The bot's own user, named as manifest.yaml's bot_user.display_name.
  users.set(botUserId, { id: botUserId, name: 'gemini', realName: 'Gemini', isBot: true });
  const rates = new RateLimits();
  // conversations.replies is Tier 3: about 50 a minute (docs.slack.dev "Rate limits"); Retry-After runs to the window's end.
  rates.set('conversations.replies', { type: 'window', limit: 50, windowMs: 60_000 });
  // Tier 3 at the strictest reading of docs.slack.dev and java-slack-sdk MethodsRateLimits.
  rates.set('assistant.threads.setSuggestedPrompts', { type: 'window', limit: 50, windowMs: 60_000 });
  rates.set('assistant.threads.setTitle', { type: 'window', limit: 50, windowMs: 60_000 });
  rates.set('agents.sessions.setStatus', { type: 'window', limit: 50, windowMs: 60_000 });
  const threads = new FakeSlackThreads();
  const ai = new FakeSlackAi({ scopes, app: opts.app ?? 'agent' });
  const failures = new Map<string, Failure[]>();
  let lastTs = tsMicros('1700000000.000000');
  let base = '';
  let streamRules: { refuse?: string | undefined; endAfterAppends?: number | undefined } = {};
  const outside = new Set<string>();
  /** Slack checks the blocks before anything is posted or changed. */
  const invalidBlocks = (args: Record<string, unknown>) => {
    const problem = blocksProblem(args.blocks);
    return problem ? { status: 200, body: { ok: false, error: 'invalid_blocks', response_metadata: { messages: [`[ERROR] ${problem}`] } } } : undefined;
  };
  const appendsByTs = new Map<string, number>();

  // Slack's ts grow with time across a channel: a post comes after every message the fake
  // already holds, so the bot's answer sorts after the question in conversations.replies.
  const nextTs = () => {
    lastTs = Math.max(lastTs, threads.latestMicros()) + 1;
    return tsOfMicros(lastTs);
  };
  /** The bot's posts in threads, as conversations.replies returns them beside everyone else's. */
  const botPosts = (): FakeThreadMessage[] =>
    messages.flatMap((m) =>
      m.threadTs === undefined || m.deleted ? [] : [{ channel: m.channel, ts: m.ts, threadTs: m.threadTs, user: botUserId, botId, botName: 'Gemini', text: m.markdown ?? m.text }],
    );

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
  const runMethod = (method: string, args: Record<string, unknown>, token: string | undefined): { status: number; headers?: Record<string, string>; body: Record<string, unknown> } => {
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
    if (channel && outside.has(channel) && ['chat.postMessage', 'chat.startStream', 'chat.update', 'chat.postEphemeral'].includes(method)) {
      return { status: 200, body: { ok: false, error: 'not_in_channel' } };
    }
    if (['chat.postMessage', 'chat.update', 'chat.stopStream'].includes(method)) {
      const refused = invalidBlocks(args);
      if (refused) return refused;
    }
    switch (method) {
      case 'auth.test':
        // The token's identity, and its scopes in the x-oauth-scopes header (comma-separated, as @slack/web-api splits it).
        if (token === undefined) return { status: 200, body: { ok: false, error: 'not_authed' } };
        if (token !== botToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
        return {
          status: 200,
          headers: { 'x-oauth-scopes': scopes.join(',') },
          body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'bot', team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false },
        };
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
        return { status: 200, body: { ok: true } };
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setTitle':
      case 'agents.sessions.setStatus':
        return ai.run(method, args);
      case 'users.info': {
        // docs.slack.dev users.info (scope users:read, Tier 4): the user object; `locale` only with include_locale=true.
        const user = typeof args.user === 'string' ? users.get(args.user) : undefined;
        if (!user) return { status: 200, body: { ok: false, error: 'user_not_found' } };
        const withLocale = args.include_locale === true || args.include_locale === 'true';
        return {
          status: 200,
          body: {
            ok: true,
            user: {
              id: user.id,
              team_id: teamId,
              name: user.name,
              deleted: false,
              real_name: user.realName ?? user.name,
              tz: 'Europe/Berlin',
              tz_label: 'Central European Time',
              tz_offset: 3600,
              profile: {
                real_name: user.realName ?? user.name,
                real_name_normalized: user.realName ?? user.name,
                display_name: user.displayName ?? '',
                display_name_normalized: user.displayName ?? '',
                team: teamId,
              },
              is_admin: user.isAdmin === true || user.isOwner === true,
              is_owner: user.isOwner === true,
              is_primary_owner: user.isOwner === true,
              is_restricted: false,
              is_ultra_restricted: false,
              is_bot: user.isBot === true,
              is_app_user: false,
              updated: 1_700_000_000,
              ...(withLocale && user.locale ? { locale: user.locale } : {}),
            },
          },
        };
      }
      case 'files.info': {
        const file = typeof args.file === 'string' ? files.get(args.file) : undefined;
        if (!file) return { status: 200, body: { ok: false, error: 'file_not_found' } };
        return { status: 200, body: { ok: true, file: fileObject(file) } };
      }
      case 'apps.connections.open':
        // Only an app-level token, and only in the Authorization header (docs.slack.dev apps.connections.open).
        if (token === undefined) return { status: 200, body: { ok: false, error: typeof args.token === 'string' ? 'invalid_auth' : 'not_authed' } };
        if (!token.startsWith('xapp-')) return { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
        if (opts.appToken !== undefined && token !== opts.appToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
        return { status: 200, body: { ok: true, url: `${base.replace('http', 'ws')}socket` } };
      case 'conversations.replies':
        return threads.replies(args, botPosts());
      case 'conversations.open': {
        // docs.slack.dev conversations.open (scope im:write): the DM with one user, its id stable.
        if (!scopes.includes('im:write')) return { status: 200, body: { ok: false, error: 'missing_scope', needed: 'im:write' } };
        const user = typeof args.users === 'string' ? args.users : '';
        if (!users.has(user)) return { status: 200, body: { ok: false, error: 'user_not_found' } };
        return { status: 200, body: { ok: true, channel: { id: `D${user.replace(/^U/, '')}` } } };
      }
      case 'conversations.info': {
        // docs.slack.dev conversations.info: channels:read for public channels, groups:read private, im:read DMs, mpim:read group DMs.
        if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        const needed = channel.startsWith('D') ? 'im:read' : channel.startsWith('G') ? 'groups:read' : 'channels:read';
        if (!scopes.includes(needed)) return { status: 200, body: { ok: false, error: 'missing_scope', needed, provided: scopes.join(',') } };
        if (channel.startsWith('D')) return { status: 200, body: { ok: true, channel: { id: channel, is_im: true, user: 'U0ALICE' } } };
        return { status: 200, body: { ok: true, channel: { id: channel, name: 'general', is_channel: true } } };
      }
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
          const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
          // apps.connections.open takes its token from the header only; other methods also from a `token` argument.
          const token = bearer ?? (method === 'apps.connections.open' || typeof args.token !== 'string' ? undefined : args.token);
          const result = runMethod(method, args, token);
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
  let holdHello = false;
  const helloWaiting: WebSocket[] = [];
  const sayHello = (ws: WebSocket) =>
    ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.size, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } }));
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
      if (holdHello) helloWaiting.push(ws);
      else sayHello(ws);
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
    threads,
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
    addUser(user) {
      users.set(user.id, user);
    },
    notInChannel(channelId) {
      outside.add(channelId);
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
    dropSockets(dropOpts = {}) {
      holdHello = dropOpts.holdHello ?? false;
      for (const socket of sockets) socket.terminate();
    },
    releaseHello() {
      holdHello = false;
      for (const ws of helloWaiting.splice(0)) sayHello(ws);
    },
    thread: (channel, threadTs) => messages.filter((m) => m.channel === channel && m.threadTs === threadTs && !m.deleted),
    assistantThread: (channel, threadTs) => ai.thread(channel, threadTs),
    agentSession: (channel, threadTs) => ai.sessions.get(`${channel}:${threadTs}`),
    pressSessionStop(channel, threadTs, user) {
      const stopped = messages.filter((m) => m.channel === channel && m.threadTs === threadTs && m.streaming);
      for (const message of stopped) message.streaming = false;
      const eventTs = nextTs();
      return { type: 'agent_session_stopped', channel, user, thread_ts: threadTs, streaming_message_ts: stopped.map((m) => m.ts), event_ts: eventTs };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.terminate();
        wss.close();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
