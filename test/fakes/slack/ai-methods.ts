/**
 * The fake Slack's surface for AI apps: the `assistant.threads.*` and
 * `agents.sessions.setStatus` methods with their arguments checked as Slack's reference
 * describes them, and the state a user would see (each assistant thread's status line,
 * title and suggested prompts; each agent session's status and title).
 *
 * Where the docs leave it open, the stricter reading:
 * - scopes: assistant.threads.setSuggestedPrompts and setTitle need `assistant:write`;
 *   setStatus takes `chat:write` or `assistant:write` (changelog 2026-03-05);
 *   agents.sessions.setStatus needs `chat:write` and an app declared as an agent, which
 *   holds `assistant:write` (docs.slack.dev "Agent sessions"). An app not declared as an
 *   agent gets `not_allowed` (the code is not documented);
 * - a session's title is kept from the call that created it; later titles are ignored;
 * - setSuggestedPrompts with `thread_ts` from an agent app "silently fails": ok, nothing set;
 * - rate limits: setStatus like chat.postMessage, one per second per channel, no burst;
 *   the others Tier 3 (the server's per-method budgets).
 */

/** Which messaging experience the app's manifest declares. */
export type FakeAppKind = 'agent' | 'assistant' | 'plain';

export interface FakeAssistantThread {
  /** Every status set, in order ('' clears). */
  readonly statuses: string[];
  title: string | undefined;
  prompts: { title: string | undefined; prompts: { title: string; message: string }[] } | undefined;
}

export interface FakeAgentSession {
  readonly title: string | undefined;
  readonly initiator: string | undefined;
  /** Every status set, in order. */
  readonly statuses: string[];
}

export type MethodAnswer = { status: number; headers?: Record<string, string>; body: Record<string, unknown> };

const SESSION_STATUSES = new Set(['active', 'processing', 'suspended', 'closed']);

const ok = (body: Record<string, unknown> = {}): MethodAnswer => ({ status: 200, body: { ok: true, ...body } });
const error = (code: string, extra: Record<string, unknown> = {}): MethodAnswer => ({ status: 200, body: { ok: false, error: code, ...extra } });
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class FakeSlackAi {
  readonly assistantThreads = new Map<string, FakeAssistantThread>();
  readonly sessions = new Map<string, FakeAgentSession>();
  readonly #scopes: readonly string[];
  readonly #app: FakeAppKind;
  readonly #statusTimes = new Map<string, number>();

  constructor(opts: { scopes: readonly string[]; app: FakeAppKind }) {
    this.#scopes = opts.scopes;
    this.#app = opts.app;
  }

  run(method: string, args: Record<string, unknown>): MethodAnswer {
    switch (method) {
      case 'assistant.threads.setStatus':
        return this.#setStatus(args);
      case 'assistant.threads.setSuggestedPrompts':
        return this.#setSuggestedPrompts(args);
      case 'assistant.threads.setTitle':
        return this.#setTitle(args);
      default:
        return this.#sessionStatus(args);
    }
  }

  /** The assistant thread's state, created on first use. */
  thread(channel: string, threadTs: string): FakeAssistantThread {
    const key = `${channel}:${threadTs}`;
    let thread = this.assistantThreads.get(key);
    if (!thread) {
      thread = { statuses: [], title: undefined, prompts: undefined };
      this.assistantThreads.set(key, thread);
    }
    return thread;
  }

  #missing(...anyOf: string[]): MethodAnswer | undefined {
    if (anyOf.some((scope) => this.#scopes.includes(scope))) return undefined;
    return error('missing_scope', { needed: anyOf.join(','), provided: this.#scopes.join(',') });
  }

  #setStatus(args: Record<string, unknown>): MethodAnswer {
    const refused = this.#missing('chat:write', 'assistant:write');
    if (refused) return refused;
    const channel = str(args.channel_id);
    const threadTs = str(args.thread_ts);
    const status = str(args.status);
    if (!channel || !threadTs || status === undefined) return error('invalid_arguments');
    const now = Date.now();
    const last = this.#statusTimes.get(channel);
    if (last !== undefined && now - last < 1000) return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    this.#statusTimes.set(channel, now);
    this.thread(channel, threadTs).statuses.push(status);
    return ok();
  }

  #setSuggestedPrompts(args: Record<string, unknown>): MethodAnswer {
    const refused = this.#missing('assistant:write');
    if (refused) return refused;
    if (this.#app === 'plain') return error('not_allowed');
    const channel = str(args.channel_id);
    const prompts = args.prompts;
    const valid =
      Array.isArray(prompts) &&
      prompts.length >= 1 &&
      prompts.length <= 4 &&
      prompts.every((p: unknown) => typeof p === 'object' && p !== null && typeof (p as { title?: unknown }).title === 'string' && typeof (p as { message?: unknown }).message === 'string');
    if (!channel || !valid) return error('invalid_arguments');
    const threadTs = str(args.thread_ts);
    // docs.slack.dev: thread_ts belongs to the assistant experience; an agent app's call with it silently fails.
    if (this.#app === 'agent' && threadTs !== undefined) return ok();
    this.thread(channel, threadTs ?? '').prompts = { title: str(args.title), prompts: prompts as { title: string; message: string }[] };
    return ok();
  }

  #setTitle(args: Record<string, unknown>): MethodAnswer {
    const refused = this.#missing('assistant:write');
    if (refused) return refused;
    if (this.#app === 'plain') return error('not_allowed');
    const channel = str(args.channel_id);
    const threadTs = str(args.thread_ts);
    const title = str(args.title);
    if (!channel || !threadTs || !title) return error('invalid_arguments');
    this.thread(channel, threadTs).title = title;
    return ok();
  }

  #sessionStatus(args: Record<string, unknown>): MethodAnswer {
    const refused = this.#missing('chat:write');
    if (refused) return refused;
    if (this.#app !== 'agent' || !this.#scopes.includes('assistant:write')) return error('not_allowed');
    const channel = str(args.channel_id);
    const threadTs = str(args.thread_ts);
    const status = str(args.status);
    const title = str(args.title);
    if (!status || !SESSION_STATUSES.has(status)) return error('invalid_arguments');
    // Thread-based sessions in channels and DMs need both (the bot never uses session channels).
    if (!channel || !threadTs) return error('invalid_arguments');
    if (title !== undefined && (title.length === 0 || title.length > 200)) return error('invalid_arguments');
    const key = `${channel}:${threadTs}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = { title, initiator: str(args.initiator_user_id), statuses: [] };
      this.sessions.set(key, session);
    }
    session.statuses.push(status);
    return ok({ status, ...(session.title !== undefined ? { title: session.title } : {}) });
  }
}
