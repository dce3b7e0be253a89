/**
 * Which of Slack's surfaces for AI apps the bot uses, and the one place its Web API
 * calls are judged. Slack has two (docs.slack.dev "Migrating to the Agent messaging
 * experience"):
 * - the agent experience (manifest `agent_view`): agent sessions per thread
 *   (`agents.sessions.setStatus`, a native stop button, `agent_session_stopped`);
 * - the assistant experience (`assistant_view`, still served to existing apps):
 *   assistant threads with suggested prompts, a status line and a title
 *   (`assistant.threads.*`).
 *
 * Both need `assistant:write` ("declaring an app as an agent adds the assistant:write
 * scope"; assistant.threads.setSuggestedPrompts and setTitle require it), so the
 * token's scopes (auth.test's `x-oauth-scopes`) decide at start-up whether either is
 * used; the scopes cannot tell the two apart, so SLACK_AI_EXPERIENCE does, and in
 * `auto` an `assistant_thread_started` (sent to assistant apps only) switches to the
 * assistant experience. A method Slack refuses (`not_allowed`, `unknown_method`,
 * `missing_scope`, …) turns the surface off for the rest of the run: the bot then
 * answers as it does without one.
 */
import type { Logger } from 'pino';
import type { SlackConfig } from '../../src/config.ts';
import { PlatformError } from '../../src/errors/platform-error.ts';
import { toPlatformError } from './platform-errors.ts';

export type AiSurfaceKind = 'agent' | 'assistant' | 'none';

/** The scope both experiences need. */
export const AI_SCOPE = 'assistant:write';

/** Codes that say this app or workspace does not have the surface: stop using it. */
const REFUSAL_CODES = new Set(['not_allowed', 'unknown_method', 'missing_scope', 'not_allowed_token_type', 'feature_not_enabled', 'method_deprecated']);

export interface AiSurfaceChoice {
  readonly kind: AiSurfaceKind;
  /** Why, for the start-up log line. */
  readonly reason: string;
}

/** The start-up decision, from SLACK_AI_EXPERIENCE and the scopes the bot token holds (undefined: not reported). */
export function chooseAiSurface(setting: SlackConfig['aiExperience'], scopes: readonly string[] | undefined): AiSurfaceChoice {
  if (setting === 'off') return { kind: 'none', reason: 'SLACK_AI_EXPERIENCE=off' };
  if (scopes === undefined) return { kind: 'none', reason: 'Slack did not report the token scopes' };
  if (!scopes.includes(AI_SCOPE)) return { kind: 'none', reason: `the token lacks ${AI_SCOPE}` };
  if (setting === 'assistant') return { kind: 'assistant', reason: 'SLACK_AI_EXPERIENCE=assistant' };
  if (setting === 'agent') return { kind: 'agent', reason: 'SLACK_AI_EXPERIENCE=agent' };
  return { kind: 'agent', reason: `${AI_SCOPE} granted; manifest.yaml declares an agent` };
}

/** How one call went, for the caller to retry or drop. */
export type AiCallResult = { readonly type: 'ok' } | { readonly type: 'rate-limited'; readonly retryAfterMs: number } | { readonly type: 'failed' };

export class SlackAiSurface {
  #kind: AiSurfaceKind;
  /** Whether the kind may still change: `auto`, with the scope granted. */
  readonly #auto: boolean;
  readonly #refused = new Set<AiSurfaceKind>();
  readonly #logger: Logger;

  constructor(opts: { setting: SlackConfig['aiExperience']; choice: AiSurfaceChoice; logger: Logger }) {
    this.#kind = opts.choice.kind;
    this.#auto = opts.setting === 'auto' && opts.choice.kind !== 'none';
    this.#logger = opts.logger;
  }

  get kind(): AiSurfaceKind {
    return this.#kind;
  }

  /** Our own Stop control is left out where Slack shows its own (an agent session's stop button). */
  hidesStop(): boolean {
    return this.#kind === 'agent';
  }

  /**
   * Slack sent an assistant thread: only apps on the assistant experience get those. In
   * `auto` the bot switches to it (once). True if the assistant experience is in use.
   */
  assistantThreadSeen(): boolean {
    if (this.#kind !== 'assistant' && this.#auto && !this.#refused.has('assistant')) {
      this.#logger.info({ aiSurface: 'assistant', was: this.#kind }, 'slack sent an assistant thread: using the assistant experience');
      this.#kind = 'assistant';
    }
    return this.#kind === 'assistant';
  }

  /**
   * Runs one call of the surface's methods. A refusal turns the surface off (logged once);
   * a 429 is returned for the caller to wait out; anything else is logged and dropped:
   * a status line or a session title is never worth failing an answer for.
   */
  async call(method: string, log: Logger, run: () => Promise<unknown>): Promise<AiCallResult> {
    try {
      await run();
      return { type: 'ok' };
    } catch (err) {
      const error = toPlatformError(err, method);
      if (error.kind === 'rate-limited') return { type: 'rate-limited', retryAfterMs: error.retryAfterMs ?? 1000 };
      if (SlackAiSurface.isRefusal(error)) this.#refuse(method, error.code);
      else log.warn({ err: error, method }, 'slack AI surface call failed');
      return { type: 'failed' };
    }
  }

  static isRefusal(error: PlatformError): boolean {
    return error.code !== undefined && REFUSAL_CODES.has(error.code);
  }

  #refuse(method: string, code: string | undefined): void {
    // A late answer to a call of the experience the bot has since left changes nothing now.
    const kind: AiSurfaceKind = method.startsWith('agents.') ? 'agent' : 'assistant';
    this.#refused.add(kind);
    if (this.#kind !== kind) return;
    this.#logger.warn(
      { method, code, was: this.#kind },
      'slack refused its AI surface; answering in plain threads from now on (check the manifest and scopes, see docs/slack.md)',
    );
    this.#kind = 'none';
  }
}
