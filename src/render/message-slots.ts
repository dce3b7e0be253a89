/**
 * The messages of one answer as the platform has them: what each was last
 * written with, and which write brings the platform's copy up to the renderer's
 * frames next. Messages are written in order: a message is posted after the one
 * before it.
 */
import type { MessageRef, MessageState, Surface } from '../surface.ts';
import type { MessageFrame } from './frame.ts';

/** One write a frame asks for: post message `index`, or edit it. */
export type Write = { readonly index: number; readonly kind: 'post' | 'edit'; readonly frame: MessageFrame };

interface Slot {
  ref: MessageRef | undefined;
  written: string | undefined;
  state: MessageState | undefined;
  /** Text the platform refused as invalid: never sent again. */
  refused: string | undefined;
}

export class MessageSlots {
  readonly #slots: Slot[] = [];

  /** The first message whose platform copy is behind its frame; `ended`: the answer is over, every posted message must end final. */
  next(wanted: readonly MessageFrame[], ended: boolean): Write | undefined {
    for (let index = 0; index < Math.max(wanted.length, this.#slots.length); index += 1) {
      const slot = this.#slots[index];
      let frame = wanted[index];
      // Nothing left to say in an already posted message (an empty answer, no note): keep its text, mark it final.
      if (!frame && ended && slot?.ref && slot.written) frame = { text: slot.written, state: 'final' };
      if (!frame) continue;
      if (slot?.refused === frame.text) {
        if (frame.state === 'final') continue;
        return undefined;
      }
      if (!slot?.ref) return { index, kind: 'post', frame };
      if (slot.written !== frame.text || slot.state !== frame.state) return { index, kind: 'edit', frame };
    }
    return undefined;
  }

  /** Makes `write` on `surface` (its text formatted for the platform) and records it. Throws what the surface throws. */
  async write(surface: Surface, write: Write, signal: AbortSignal): Promise<void> {
    const text = surface.format(write.frame.text);
    const slot = this.#slots[write.index] ?? { ref: undefined, written: undefined, state: undefined, refused: undefined };
    this.#slots[write.index] = slot;
    if (write.kind === 'post') slot.ref = await surface.post(text, write.frame.state, signal);
    else if (slot.ref) await surface.edit(slot.ref, text, write.frame.state, signal);
    slot.written = write.frame.text;
    slot.state = write.frame.state;
  }

  /** The platform refused this text for this message: it is not sent again. */
  refuse(write: Write): void {
    const slot = this.#slots[write.index];
    if (slot) slot.refused = write.frame.text;
  }

  /** How many messages were posted. */
  get posted(): number {
    return this.#slots.filter((slot) => slot.ref).length;
  }

  /** A posted message is not final yet. */
  get open(): boolean {
    return this.#slots.some((slot) => slot.ref !== undefined && slot.state !== 'final');
  }
}
