/**
 * One answer on Slack's AI surface: the answer's own surface (chat.update or native
 * streaming) wrapped so that the turn also tells Slack's surface what it does:
 * - agent experience: the thread's session goes to `processing` as the turn starts and
 *   to `active` once the answer is over (agent-sessions.ts);
 * - assistant experience: in an assistant thread the status line says the bot thinks
 *   (with the latest reasoning heading) until the answer starts, and the thread gets its
 *   title from its first question (assistant-threads.ts).
 * Everything else passes through unchanged.
 */
import type { Logger } from 'pino';
import type { AnswerProgress, MessageRef, MessageState, RateScope, Surface } from '../../src/surface.ts';
import { userText } from '../../src/user-text.ts';
import type { AgentSessions } from './agent-sessions.ts';
import type { SlackAiSurface } from './ai-surface.ts';
import type { AssistantStatusLine } from './assistant-status.ts';
import type { AssistantThreads } from './assistant-threads.ts';
import type { SlackThread } from './surface.ts';

/** What the answers of one adapter share: the surface in use and its two experiences. */
export class AiTurns {
  readonly surface: SlackAiSurface;
  readonly sessions: AgentSessions;
  readonly assistantThreads: AssistantThreads;

  constructor(opts: { surface: SlackAiSurface; sessions: AgentSessions; assistantThreads: AssistantThreads }) {
    this.surface = opts.surface;
    this.sessions = opts.sessions;
    this.assistantThreads = opts.assistantThreads;
  }

  /** The answer to `question` in `thread`, written through `inner`. */
  wrap(inner: Surface, thread: SlackThread, question: string, log: Logger): Surface {
    return new AiTurnSurface({ inner, thread, question, turns: this, log });
  }
}

interface AiTurnSurfaceOptions {
  readonly inner: Surface;
  readonly thread: SlackThread;
  readonly question: string;
  readonly turns: AiTurns;
  readonly log: Logger;
}

class AiTurnSurface implements Surface {
  readonly address: string | undefined;
  readonly #o: AiTurnSurfaceOptions;
  readonly #inner: Surface;
  /** Set once this turn put its session in `processing`: only then does it set `active`. */
  #session = false;
  #status: AssistantStatusLine | undefined;

  constructor(opts: AiTurnSurfaceOptions) {
    this.#o = opts;
    this.#inner = opts.inner;
    this.address = opts.inner.address;
  }

  // Read through: the inner surface may change these mid-turn (falling back from native streaming).
  get maxMessageLength(): number {
    return this.#inner.maxMessageLength;
  }

  get scopes(): { readonly post: RateScope; readonly edit: RateScope } {
    return this.#inner.scopes;
  }

  get appendOnly(): boolean | undefined {
    return this.#inner.appendOnly;
  }

  format(markdown: string): string {
    return this.#inner.format(markdown);
  }

  post(text: string, state: MessageState, signal: AbortSignal): Promise<MessageRef> {
    return this.#inner.post(text, state, signal);
  }

  edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal): Promise<void> {
    return this.#inner.edit(message, text, state, signal);
  }

  /** The turn starts working: Slack's surface first (the Stop control depends on it), then the answer's own. */
  async showTyping(signal: AbortSignal): Promise<void> {
    const { turns, thread, question, log } = this.#o;
    const kind = turns.surface.kind;
    if (kind === 'agent') {
      this.#session = true;
      await turns.sessions.processing(thread, question, log);
    } else if (kind === 'assistant') {
      this.#status = await turns.assistantThreads.forTurn(thread, question, log);
      this.#status?.set(userText.assistantThinking(undefined));
    }
    await this.#inner.showTyping?.(signal);
  }

  showProgress(progress: AnswerProgress): void {
    this.#status?.set(progress.type === 'answering' ? '' : userText.assistantThinking(progress.heading));
  }

  async finished(signal: AbortSignal): Promise<void> {
    // An answer that ended before any text (a failure, a stop) still clears its status.
    this.#status?.set('');
    const { turns, thread, log } = this.#o;
    await Promise.all([
      this.#inner.finished?.(signal),
      this.#session ? turns.sessions.active(thread, log) : undefined,
      this.#status?.settled(),
    ]);
  }
}
