/**
 * The messages of one answer as the platform has them (its slots): what each was
 * last written with, and which write brings the platform's copy up to the
 * renderer's frames next. Messages are written in order: a message is posted after
 * the one before it. A regeneration starts with the slots of the earlier answer's
 * messages (a ref, nothing written yet): it writes into them by edits, and deletes
 * those the new answer does not need once it is over.
 */
import type { MessageRef, MessageState, Surface } from '../surface.ts';
import type { MessageFrame } from './frame.ts';

/**
 * One write a frame asks for: post message `index`, edit it (`last`: as the finished
 * answer's last message, `MessagePlace.last`), or delete a message of an earlier
 * version the answer no longer needs.
 */
export type Write =
  | { readonly index: number; readonly kind: 'post' | 'edit'; readonly frame: MessageFrame; readonly last: boolean }
  | { readonly index: number; readonly kind: 'delete' };

interface Slot {
  ref: MessageRef | undefined;
  /** Undefined until this answer writes it (a message of an earlier version starts so). */
  written: string | undefined;
  state: MessageState | undefined;
  /** Whether it was last written as the answer's last message (`MessagePlace.last`). */
  last: boolean;
  /** Text the platform refused as invalid: never sent again. */
  refused: string | undefined;
  /** A message of an earlier version this answer did not need, deleted (or given up on). */
  deleted: boolean;
}

const emptySlot = (ref: MessageRef | undefined): Slot => ({ ref, written: undefined, state: undefined, last: false, refused: undefined, deleted: false });

export class MessageSlots {
  readonly #slots: Slot[];

  /** `existing`: the messages of an earlier version of the answer, written into again in order. */
  constructor(existing: readonly MessageRef[] = []) {
    this.#slots = existing.map(emptySlot);
  }

  /**
   * The first message whose platform copy is behind its frame, or undefined when the
   * platform shows `wanted` (or a refused text blocks the way). `ended`: the answer is
   * over, every posted message must end final and the last one says so (`Write.last`);
   * `canDelete`: the surface can delete the messages of an earlier version left over.
   */
  next(wanted: readonly MessageFrame[], opts: { ended: boolean; canDelete: boolean }): Write | undefined {
    const lastIndex = opts.ended ? this.#lastMessage(wanted) : -1;
    for (let index = 0; index < Math.max(wanted.length, this.#slots.length); index += 1) {
      const slot = this.#slots[index];
      if (slot?.deleted) continue;
      let frame = wanted[index];
      // A message of an earlier version the answer did not need, once the answer is over.
      if (!frame && opts.ended && slot?.ref && slot.written === undefined) {
        if (opts.canDelete) return { index, kind: 'delete' };
        continue;
      }
      // Nothing left to say in an already posted message (an empty answer, no note): keep its text, mark it final.
      if (!frame && opts.ended && slot?.ref && slot.written) frame = { text: slot.written, state: 'final' };
      if (!frame) continue;
      if (slot?.refused === frame.text) {
        if (frame.state === 'final') continue;
        return undefined;
      }
      const last = index === lastIndex;
      if (!slot?.ref) return { index, kind: 'post', frame, last };
      if (slot.written !== frame.text || slot.state !== frame.state || slot.last !== last) return { index, kind: 'edit', frame, last };
    }
    return undefined;
  }

  /** Makes `write` on `surface` (its text formatted for the platform) and records it. Throws what the surface throws. */
  async write(surface: Surface, write: Write, signal: AbortSignal): Promise<void> {
    const slot = this.#slots[write.index] ?? emptySlot(undefined);
    this.#slots[write.index] = slot;
    if (write.kind === 'delete') {
      if (slot.ref) await surface.delete?.(slot.ref, signal);
      slot.deleted = true;
      return;
    }
    const text = surface.format(write.frame.text);
    const place = { last: write.last };
    if (write.kind === 'post') slot.ref = await surface.post(text, write.frame.state, signal, place);
    else if (slot.ref) await surface.edit(slot.ref, text, write.frame.state, signal, place);
    slot.written = write.frame.text;
    slot.state = write.frame.state;
    slot.last = write.last;
  }

  /** The platform refused this text for this message: it is not sent again. */
  refuse(write: Write & { readonly frame: MessageFrame }): void {
    const slot = this.#slots[write.index];
    if (slot) slot.refused = write.frame.text;
  }

  /** A leftover message could not be deleted (or was gone already): it is not tried again. */
  giveUpDeleting(write: Write): void {
    const slot = this.#slots[write.index];
    if (slot) slot.deleted = true;
  }

  /** The answer's messages on the platform, in order: a regeneration writes into them again. */
  get refs(): MessageRef[] {
    return this.#slots.flatMap((slot) => (slot.ref && !slot.deleted ? [slot.ref] : []));
  }

  /** How many messages the answer occupies (posted, or of an earlier version and not deleted). */
  get posted(): number {
    return this.refs.length;
  }

  /** A message the answer occupies is not final yet (an earlier version's counts until this answer writes it final). */
  get open(): boolean {
    return this.#slots.some((slot) => slot.ref !== undefined && !slot.deleted && slot.state !== 'final');
  }

  /** The finished answer's last message: the one that carries its controls. */
  #lastMessage(wanted: readonly MessageFrame[]): number {
    for (let index = this.#slots.length - 1; index >= wanted.length; index -= 1) {
      const slot = this.#slots[index];
      if (slot?.ref && slot.written && !slot.deleted) return index;
    }
    return wanted.length - 1;
  }
}
