/** A Surface that records what a user would see: each message's latest text and state. */
import type { MessagePlace, MessageRef, MessageState, Surface } from '../../src/surface.ts';

export interface ShownMessage {
  text: string;
  state: MessageState;
  writes: number;
  /** Written last as the answer's last message: the one a platform puts the answer's controls on. */
  last?: boolean;
  /** Deleted (a regenerated answer no longer needed it). */
  deleted?: boolean;
}

export class RecordingSurface implements Surface {
  readonly maxMessageLength: number;
  readonly scopes;
  readonly messages: ShownMessage[] = [];
  readonly #firstWrite: Promise<void>;
  #onWrite: () => void = () => undefined;

  constructor(opts: { maxMessageLength?: number; scope?: string } = {}) {
    this.maxMessageLength = opts.maxMessageLength ?? 2000;
    const key = opts.scope ?? 'test';
    this.scopes = { post: { key: `${key}:post`, limit: 1000, windowMs: 1000 }, edit: { key: `${key}:edit`, limit: 1000, windowMs: 1000 } };
    this.#firstWrite = new Promise((resolve) => (this.#onWrite = resolve));
  }

  format(markdown: string): string {
    return markdown;
  }

  async post(text: string, state: MessageState, _signal?: AbortSignal, place?: MessagePlace): Promise<MessageRef> {
    this.messages.push({ text, state, writes: 1, last: place?.last === true });
    this.#onWrite();
    return { id: String(this.messages.length - 1) };
  }

  async edit(message: MessageRef, text: string, state: MessageState, _signal?: AbortSignal, place?: MessagePlace): Promise<void> {
    const shown = this.messages[Number(message.id)];
    if (!shown || shown.deleted) throw new Error(`no message ${message.id}`);
    Object.assign(shown, { text, state, writes: shown.writes + 1, last: place?.last === true });
    this.#onWrite();
  }

  async delete(message: MessageRef): Promise<void> {
    const shown = this.messages[Number(message.id)];
    if (shown) shown.deleted = true;
  }

  /** Resolves at the first post. */
  firstWrite(): Promise<void> {
    return this.#firstWrite;
  }

  /** The messages still there, in order. */
  shown(): ShownMessage[] {
    return this.messages.filter((m) => !m.deleted);
  }

  /** Everything shown, messages joined. */
  text(): string {
    return this.shown()
      .map((m) => m.text)
      .join('');
  }
}
