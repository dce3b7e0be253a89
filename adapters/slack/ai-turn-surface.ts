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
import type { AnswerProgress, MessagePlace, MessageRef, MessageState, Surface, SurfaceScopes } from '../../src/surface.ts';
import { userTextIn } from '../../src/user-text.ts';
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
  /** The turns in an agent session streaming on this instance, for Slack's stop button. */
  readonly #inSession = new Map<string, AiTurnSurface>();

  constructor(opts: { surface: SlackAiSurface; sessions: AgentSessions; assistantThreads: AssistantThreads }) {
    this.surface = opts.surface;
    this.sessions = opts.sessions;
    this.assistantThreads = opts.assistantThreads;
  }

  /** The answer to `question` in `thread` (undefined for a regeneration: the thread has its title), written through `inner`. */
  wrap(inner: InnerSurface, thread: SlackThread, question: string | undefined, log: Logger): Surface {
    return new AiTurnSurface({ inner, thread, question, turns: this, log, sessions: this.#inSession });
  }

  /**
   * The user stopped `turnId` with its session's stop button, which also stopped its stream
   * in Slack. Told before the turn is stopped, so its final text replaces the stopped message.
   */
  stoppedInSlack(turnId: string): void {
    this.#inSession.get(turnId)?.stoppedInSlack();
  }
}

/** The answer's own surface; a native stream can be told Slack stopped it. */
type InnerSurface = Surface & { stoppedInSlack?(): void };

interface AiTurnSurfaceOptions {
  readonly inner: InnerSurface;
  readonly thread: SlackThread;
  readonly question: string | undefined;
  readonly turns: AiTurns;
  readonly log: Logger;
  /** AiTurns' registry of turns in a session on this instance. */
  readonly sessions: Map<string, AiTurnSurface>;
}

class AiTurnSurface implements Surface {
  readonly address: string | undefined;
  /** Present only when the inner surface has another path (native streaming's overflow): the renderer asks by its presence. */
  readonly overflow?: () => void;
  /** Present only when the inner surface can delete (a regeneration drops the parts it no longer needs): likewise. */
  readonly delete?: (message: MessageRef, signal: AbortSignal) => Promise<void>;
  readonly #o: AiTurnSurfaceOptions;
  readonly #inner: InnerSurface;
  /** Set once this turn put its session in `processing`: only then does it set `active`. */
  #session = false;
  #status: AssistantStatusLine | undefined;

  constructor(opts: AiTurnSurfaceOptions) {
    this.#o = opts;
    this.#inner = opts.inner;
    this.address = opts.inner.address;
    const inner = opts.inner;
    if (inner.overflow) this.overflow = () => inner.overflow?.();
    if (inner.delete) this.delete = (message, signal) => inner.delete?.(message, signal) ?? Promise.resolve();
  }

  /** The asker's language: the status line. */
  get #texts() {
    return userTextIn(this.#o.thread.locale ?? 'en');
  }

  // Read through: the inner surface may change these mid-turn (falling back from native streaming).
  get maxMessageLength(): number {
    return this.#inner.maxMessageLength;
  }

  get scopes(): SurfaceScopes {
    return this.#inner.scopes;
  }

  get appendOnly(): boolean | undefined {
    return this.#inner.appendOnly;
  }

  format(markdown: string): string {
    return this.#inner.format(markdown);
  }

  post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef> {
    return this.#inner.post(text, state, signal, place);
  }

  edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void> {
    return this.#inner.edit(message, text, state, signal, place);
  }

  /** The turn starts working: Slack's surface first (the Stop control depends on it), then the answer's own. */
  async showTyping(signal: AbortSignal): Promise<void> {
    const { turns, thread, question, log } = this.#o;
    const kind = turns.surface.kind;
    if (kind === 'agent') {
      this.#session = true;
      this.#o.sessions.set(thread.turnId, this);
      await turns.sessions.processing(thread, question, log);
    } else if (kind === 'assistant') {
      this.#status = await turns.assistantThreads.forTurn(thread, question, log);
      this.#status?.set(this.#texts.assistantThinking(undefined));
    }
    await this.#inner.showTyping?.(signal);
  }

  showProgress(progress: AnswerProgress): void {
    this.#status?.set(progress.type === 'answering' ? '' : this.#texts.assistantThinking(progress.heading));
  }

  stoppedInSlack(): void {
    this.#inner.stoppedInSlack?.();
  }

  async finished(signal: AbortSignal): Promise<void> {
    // An answer that ended before any text (a failure, a stop) still clears its status.
    this.#status?.set('');
    const { turns, thread, log } = this.#o;
    if (this.#o.sessions.get(thread.turnId) === this) this.#o.sessions.delete(thread.turnId);
    await Promise.all([
      this.#inner.finished?.(signal),
      this.#session ? turns.sessions.active(thread, log) : undefined,
      this.#status?.settled(),
    ]);
  }
}
