/**
 * The terminal as a platform with no length limit. On a TTY each frame rewrites
 * the answer in place (appending when it only grew); otherwise only the final
 * text is printed, so scripted runs read cleanly.
 */
import { clearScreenDown, cursorTo, moveCursor } from 'node:readline';
import type { MessageRef, MessageState, Surface } from '../../src/surface.ts';

const DIM = '\x1b[2m';
const UNDIM = '\x1b[22m';
/** The terminal writes as fast as it likes: a budget nobody reaches. */
const UNLIMITED = { limit: 1_000_000, windowMs: 1_000 };

export class TerminalSurface implements Surface {
  readonly maxMessageLength = 1_000_000;
  readonly scopes = { post: { key: 'terminal:post', ...UNLIMITED }, edit: { key: 'terminal:edit', ...UNLIMITED } };
  readonly #out: NodeJS.WriteStream | NodeJS.WritableStream;
  readonly #tty: boolean;
  #printed = '';
  #count = 0;

  constructor(out: NodeJS.WriteStream | NodeJS.WritableStream) {
    this.#out = out;
    this.#tty = 'isTTY' in out && out.isTTY === true;
  }

  /** Reasoning (quoted lines, the thinking status) is dimmed on a TTY. */
  format(markdown: string): string {
    if (!this.#tty) return markdown;
    return markdown
      .split('\n')
      .map((line) => (line.startsWith('> ') || line.startsWith('💭') ? `${DIM}${line}${UNDIM}` : line))
      .join('\n');
  }

  async post(text: string, state: MessageState): Promise<MessageRef> {
    this.#printed = '';
    const ref = { id: `terminal-${++this.#count}` };
    this.#show(text, state);
    return ref;
  }

  async edit(_message: MessageRef, text: string, state: MessageState): Promise<void> {
    this.#show(text, state);
  }

  #show(text: string, state: MessageState): void {
    if (!this.#tty) {
      if (state === 'final') this.#out.write(`${text}\n`);
      return;
    }
    const out = this.#out as NodeJS.WriteStream;
    if (text.startsWith(this.#printed)) {
      out.write(text.slice(this.#printed.length));
    } else {
      this.#erase(out);
      out.write(text);
    }
    this.#printed = text;
    if (state === 'final') {
      out.write('\n');
      this.#printed = '';
    }
  }

  /** Moves back over the rows the last frame took (wrapped at the terminal's width) and clears them. */
  #erase(out: NodeJS.WriteStream): void {
    const columns = out.columns || 80;
    const visible = this.#printed.replace(/\x1b\[[0-9;]*m/g, '');
    const rows = visible.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / columns)), 0);
    moveCursor(out, 0, -(rows - 1));
    cursorTo(out, 0);
    clearScreenDown(out);
  }
}
