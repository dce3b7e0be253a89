/** A Surface that records what a user would see: each message's latest text and state. */
import type { MessageRef, MessageState, Surface } from '../../src/surface.ts';

export interface ShownMessage {
  text: string;
  state: MessageState;
  writes: number;
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

  async post(text: string, state: MessageState): Promise<MessageRef> {
    this.messages.push({ text, state, writes: 1 });
    this.#onWrite();
    return { id: String(this.messages.length - 1) };
  }

  async edit(message: MessageRef, text: string, state: MessageState): Promise<void> {
    const shown = this.messages[Number(message.id)];
    if (!shown) throw new Error(`no message ${message.id}`);
    Object.assign(shown, { text, state, writes: shown.writes + 1 });
    this.#onWrite();
  }

  /** Resolves at the first post. */
  firstWrite(): Promise<void> {
    return this.#firstWrite;
  }

  /** Everything shown, messages joined. */
  text(): string {
    return this.messages.map((m) => m.text).join('');
  }
}
