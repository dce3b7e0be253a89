/**
 * What the renderer knows of each message of an answer on the platform (its slot),
 * and which write comes next: the first message whose copy on the platform is
 * behind the frame it should show, in order, since a message is posted only after
 * the one before it. A regeneration starts with the slots of the earlier answer's
 * messages (a ref, nothing written yet): it writes into them by edits, and deletes
 * those the new answer does not need once it is over.
 */
import type { MessageRef, MessageState } from '../surface.ts';
import type { MessageFrame } from './frame.ts';

export interface Slot {
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

export type Write =
  | { readonly index: number; readonly kind: 'post' | 'edit'; readonly frame: MessageFrame; readonly last: boolean }
  | { readonly index: number; readonly kind: 'delete' };

/** Which budget a write spends: deletes count against edits (Slack's chat.delete is chat.update's tier). */
export const scopeOf = (kind: Write['kind']): 'post' | 'edit' => (kind === 'post' ? 'post' : 'edit');

export const emptySlot = (ref: MessageRef | undefined): Slot => ({ ref, written: undefined, state: undefined, last: false, refused: undefined, deleted: false });

/**
 * The next write that brings the platform closer to `wanted`, or undefined when it shows it
 * (or a refused text blocks the way). `ended`: the answer is over; `canDelete`: the surface
 * can delete messages.
 */
export function nextWrite(wanted: readonly MessageFrame[], slots: readonly Slot[], opts: { ended: boolean; canDelete: boolean }): Write | undefined {
  const lastIndex = opts.ended ? lastMessage(wanted, slots) : -1;
  for (let index = 0; index < Math.max(wanted.length, slots.length); index += 1) {
    const slot = slots[index];
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

/** The finished answer's last message: the one that carries its controls. */
function lastMessage(wanted: readonly MessageFrame[], slots: readonly Slot[]): number {
  for (let index = slots.length - 1; index >= wanted.length; index -= 1) {
    const slot = slots[index];
    if (slot?.ref && slot.written && !slot.deleted) return index;
  }
  return wanted.length - 1;
}
