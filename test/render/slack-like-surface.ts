/**
 * A Surface for scheduler tests that writes the way the Slack adapter does, with
 * its real budgets (adapters/slack/scopes.ts), into a workspace that counts calls
 * the way the fake Slack does (test/fakes/slack/rate-model.ts), in fake time:
 * by chat.postMessage + chat.update, or natively (chat.startStream / appendStream
 * / stopStream) with the overflow to the update path. A call over the workspace's
 * budget fails as the adapter reports a 429 (`rate-limited`, Retry-After).
 */
import { streamScopes, updateScopes } from '../../adapters/slack/scopes.ts';
import { PlatformError } from '../../src/errors/platform-error.ts';
import type { MessageRef, MessageState, Surface, SurfaceScopes } from '../../src/surface.ts';
import type { RateLimits } from '../fakes/slack/rate-model.ts';

export interface SlackCallRecord {
  readonly method: string;
  readonly channel: string;
  /** When the call reached the workspace (fake time). */
  readonly at: number;
  readonly ok: boolean;
  readonly state: MessageState;
  readonly message: string;
}

/** One workspace: its rate limits and every call made to it. */
export class FakeWorkspace {
  readonly calls: SlackCallRecord[] = [];
  readonly limits: RateLimits;
  readonly #latencyMs: number;

  constructor(limits: RateLimits, latencyMs = 80) {
    this.limits = limits;
    this.#latencyMs = latencyMs;
  }

  /** Makes one call: it reaches Slack after half the latency and answers after the other half. */
  async call(method: string, channel: string, message: string, state: MessageState): Promise<void> {
    await new Promise((done) => setTimeout(done, this.#latencyMs / 2));
    const verdict = this.limits.take(method, channel);
    this.calls.push({ method, channel, at: Date.now(), ok: verdict.ok, state, message });
    await new Promise((done) => setTimeout(done, this.#latencyMs / 2));
    if (!verdict.ok) throw new PlatformError('rate-limited', `${method}: 429`, { retryAfterMs: verdict.retryAfterSec * 1000, code: 'ratelimited' });
  }

  /** Calls the workspace refused with 429. */
  refused(): SlackCallRecord[] {
    return this.calls.filter((c) => !c.ok);
  }
}

export class SlackLikeSurface implements Surface {
  /** Each message's latest text and state, in posting order. */
  readonly messages: Array<{ id: string; text: string; state: MessageState; path: 'native' | 'update' }> = [];
  /** When each message's final write landed, and the budget it counted against. */
  readonly finals = new Map<string, { at: number; scope: string }>();
  /** Every write that landed: when, and the text it showed. */
  readonly landed: Array<{ at: number; text: string }> = [];
  readonly #workspace: FakeWorkspace;
  readonly #channel: string;
  readonly #update: SurfaceScopes;
  readonly #native: SurfaceScopes;
  #path: 'native' | 'update';
  #next = 0;

  constructor(opts: { workspace: FakeWorkspace; channel: string; streaming: 'native' | 'update' }) {
    this.#workspace = opts.workspace;
    this.#channel = opts.channel;
    this.#update = updateScopes('T1', opts.channel);
    this.#native = streamScopes('T1');
    this.#path = opts.streaming;
  }

  get scopes(): SurfaceScopes {
    return this.#path === 'native' ? this.#native : this.#update;
  }

  get appendOnly(): boolean {
    return this.#path === 'native';
  }

  get maxMessageLength(): number {
    return this.#path === 'native' ? 10_000 : 3800;
  }

  /** Which way this answer went. */
  get path(): 'native' | 'update' {
    return this.#path;
  }

  format(markdown: string): string {
    return markdown;
  }

  overflow(): void {
    this.#path = 'update';
  }

  async post(text: string, state: MessageState, signal: AbortSignal): Promise<MessageRef> {
    signal.throwIfAborted();
    const id = `${this.#channel}-m${this.#next++}`;
    const path = this.#path;
    if (path === 'native') {
      await this.#workspace.call('chat.startStream', this.#channel, id, 'live');
      if (state === 'final') await this.#workspace.call('chat.stopStream', this.#channel, id, 'final');
    } else {
      await this.#workspace.call('chat.postMessage', this.#channel, id, state);
    }
    this.messages.push({ id, text, state, path });
    this.landed.push({ at: Date.now(), text });
    if (state === 'final') this.finals.set(id, { at: Date.now(), scope: path === 'native' ? this.#native.final?.key ?? '' : this.#update.post.key });
    return { id };
  }

  async edit(ref: MessageRef, text: string, state: MessageState, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const message = this.messages.find((m) => m.id === ref.id);
    if (!message) throw new PlatformError('gone', `no message ${ref.id}`);
    const method = message.path === 'update' ? 'chat.update' : state === 'final' ? 'chat.stopStream' : 'chat.appendStream';
    await this.#workspace.call(method, this.#channel, ref.id, state);
    Object.assign(message, { text, state });
    this.landed.push({ at: Date.now(), text });
    if (state === 'final') this.finals.set(ref.id, { at: Date.now(), scope: message.path === 'update' ? this.#update.edit.key : this.#native.final?.key ?? '' });
  }
}
