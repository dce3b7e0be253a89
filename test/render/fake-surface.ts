/**
 * A Surface for renderer tests: it records every write with the (fake) time it
 * started, keeps each message's latest text, can hold writes in flight, and can
 * fail writes the way an adapter reports platform errors.
 */
import { PlatformError, type PlatformErrorKind } from '../../src/errors/platform-error.ts';
import type { MessagePlace, MessageRef, MessageState, RateScope, Surface } from '../../src/surface.ts';

export interface WriteRecord {
  readonly at: number;
  readonly kind: 'post' | 'edit' | 'delete';
  readonly scope: string;
  readonly id: string;
  readonly text: string;
  readonly state: MessageState | undefined;
  readonly signal: AbortSignal;
  /** Whether the renderer wrote it as the answer's last message (the one with the answer's controls). */
  readonly last?: boolean | undefined;
}

export interface Failure {
  readonly kind: PlatformErrorKind;
  readonly retryAfterMs?: number;
}

export class FakeSurface implements Surface {
  readonly maxMessageLength: number;
  readonly scopes: { readonly post: RateScope; readonly edit: RateScope };
  readonly writes: WriteRecord[] = [];
  /** What the user sees: each message's latest text and state, in posting order. */
  readonly messages: Array<{ id: string; text: string; state: MessageState }> = [];
  readonly #latencyMs: number;
  readonly #failures: Array<{ when: (write: WriteRecord) => boolean; failure: Failure }> = [];
  #held: Array<() => void> | undefined;
  #nextId = 0;

  constructor(
    opts: { maxMessageLength?: number; post?: RateScope; edit?: RateScope; latencyMs?: number; name?: string } = {},
  ) {
    const name = opts.name ?? 'chan';
    this.maxMessageLength = opts.maxMessageLength ?? 2000;
    this.scopes = {
      post: opts.post ?? { key: `${name}:post`, limit: 5, windowMs: 5000 },
      edit: opts.edit ?? { key: `${name}:edit`, limit: 5, windowMs: 5000 },
    };
    this.#latencyMs = opts.latencyMs ?? 0;
  }

  format(markdown: string): string {
    return markdown;
  }

  /** Makes the first write matching `when` (default: the next) fail with `failure`. */
  failOnce(failure: Failure, when: (write: WriteRecord) => boolean = () => true): void {
    this.#failures.push({ when, failure });
  }

  /** Keeps writes in flight until `release()`. */
  hold(): void {
    this.#held ??= [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const go of held) go();
  }

  /** Messages an earlier answer left, final, without recording writes: a regeneration starts from them. */
  seed(texts: readonly string[]): MessageRef[] {
    return texts.map((text) => {
      const id = `m${this.#nextId++}`;
      this.messages.push({ id, text, state: 'final' });
      return { id };
    });
  }

  async post(text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<MessageRef> {
    const id = `m${this.#nextId++}`;
    await this.#write({ at: Date.now(), kind: 'post', scope: this.scopes.post.key, id, text, state, signal, last: place?.last });
    this.messages.push({ id, text, state });
    return { id };
  }

  async edit(message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace): Promise<void> {
    await this.#write({ at: Date.now(), kind: 'edit', scope: this.scopes.edit.key, id: message.id, text, state, signal, last: place?.last });
    const shown = this.messages.find((m) => m.id === message.id);
    if (!shown) throw new PlatformError('gone', `no message ${message.id}`);
    Object.assign(shown, { text, state });
  }

  async delete(message: MessageRef, signal: AbortSignal): Promise<void> {
    await this.#write({ at: Date.now(), kind: 'delete', scope: this.scopes.edit.key, id: message.id, text: '', state: undefined, signal });
    const at = this.messages.findIndex((m) => m.id === message.id);
    if (at === -1) throw new PlatformError('gone', `no message ${message.id}`);
    this.messages.splice(at, 1);
  }

  /** Everything the user sees, messages in order. */
  shown(): string[] {
    return this.messages.map((m) => m.text);
  }

  async #write(write: WriteRecord): Promise<void> {
    if (write.signal.aborted) throw write.signal.reason;
    this.writes.push(write);
    // Discord 50006: an empty or whitespace-only message is refused.
    if (write.kind !== 'delete' && write.text.trim() === '') throw new PlatformError('invalid', 'Cannot send an empty message', { code: '50006' });
    if (this.#held) await new Promise<void>((go) => this.#held?.push(go));
    if (this.#latencyMs > 0) await new Promise((done) => setTimeout(done, this.#latencyMs));
    const index = this.#failures.findIndex((f) => f.when(write));
    if (index !== -1) {
      const { failure } = this.#failures.splice(index, 1)[0] as { failure: Failure };
      throw new PlatformError(failure.kind, `fake ${failure.kind}`, { retryAfterMs: failure.retryAfterMs });
    }
  }
}

/** The most writes that started within any `windowMs` span, per scope. */
export function busiestWindow(writes: readonly WriteRecord[], scope: string, windowMs: number): number {
  const times = writes.filter((w) => w.scope === scope).map((w) => w.at);
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
