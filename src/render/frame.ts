/**
 * What each message of a live answer should say now: a pure function of the
 * renderer's state. Sealed messages are fixed; the last one shows the thinking
 * status, the growing answer, or (once finished) the answer with its end note.
 */
import type { ReasoningDisplay } from '../config.ts';
import type { MessageState } from '../surface.ts';
import { openFenceAtEnd, closeLine } from './fence.ts';
import type { UserText } from '../user-text.ts';
import { quotedReasoning, thinkingText } from './reasoning.ts';
import { type Cursor, cutNext, partText, reopenFor } from './split.ts';

export interface RenderState {
  readonly maxLength: number;
  readonly reasoningDisplay: ReasoningDisplay;
  /** The asker's language: the thinking status and the reasoning's title. */
  readonly texts: UserText;
  readonly reasoning: string;
  readonly answer: string;
  /** Whether any reasoning or answer text has arrived (before that there is nothing to show). */
  readonly started: boolean;
  /** Notices not yet part of a sealed message. */
  readonly notices: readonly string[];
  /** Finished messages: their text never changes. */
  readonly sealed: readonly string[];
  /** Where the answer text not yet in a sealed message begins. */
  readonly cursor: Cursor;
  readonly end: { readonly note?: string | undefined; readonly footer?: string | undefined } | undefined;
  /**
   * The surface can only append to a live message (`Surface.appendOnly`): live frames then
   * hold only text no later frame takes back, so each live frame of a message starts
   * with the one before and its final frame starts with the last live one.
   */
  readonly appendOnly?: boolean;
}

export interface MessageFrame {
  readonly text: string;
  readonly state: MessageState;
}

/** Blocks separated by a blank line; blank blocks are left out. */
export const compose = (blocks: readonly string[]): string => blocks.filter((b) => b.trim() !== '').join('\n\n');

/** Reasoning kept above the answer in `full` mode takes at most this share of the first message. */
const keptReasoningShare = 4;

/** The blocks above the answer in message `index`: pending notices, and on the first, kept reasoning. */
export function headOf(state: RenderState, index: number): string {
  const notices = compose(state.notices);
  const reasoning =
    index === 0 && state.reasoningDisplay === 'full' && state.reasoning.trim() !== ''
      ? quotedReasoning(state.reasoning, Math.floor(state.maxLength / keptReasoningShare), state.texts)
      : '';
  // The answer needs at least half of a message; a longer head loses its reasoning, then its notices.
  const half = Math.floor(state.maxLength / 2);
  let head = compose([notices, reasoning]);
  if (head.length > half) head = notices;
  if (head.length > half) head = `${[...head].slice(0, half - 3).join('')}…`;
  return head === '' ? '' : `${head}\n\n`;
}

/**
 * Moves answer text that overflows the last message into sealed messages, as
 * soon as the text after each cut has arrived (so the cut never moves later).
 */
export function sealOverflow(state: RenderState): { sealed: string[]; cursor: Cursor } {
  const sealed = [...state.sealed];
  let cursor = state.cursor;
  for (;;) {
    // Pending notices go into the first message sealed from here on.
    const notices = sealed.length > state.sealed.length ? [] : state.notices;
    const head = headOf({ ...state, notices }, sealed.length);
    const result = cutNext(state.answer, cursor, state.maxLength - head.length, false);
    if (result.type !== 'cut') return { sealed, cursor };
    sealed.push(head + partText(result.part));
    cursor = result.next;
  }
}

/** The text every message should show now; the last may be absent while there is nothing to show. */
export function frames(state: RenderState): MessageFrame[] {
  const done: MessageFrame[] = state.sealed.map((text) => ({ text, state: 'final' }));
  if (state.end) return [...done, ...finalTail(state, state.end)];
  const live = liveText(state);
  return live.trim() === '' ? done : [...done, { text: live, state: 'live' }];
}

function liveText(state: RenderState): string {
  const index = state.sealed.length;
  const head = headOf(state, index);
  const room = state.maxLength - head.length;
  const rest = state.answer.slice(state.cursor.offset);
  if (rest.trim() === '') {
    if (index > 0 || !state.started) return '';
    const notices = compose(state.notices);
    // The thinking status is replaced by the answer: an append-only surface never gets it.
    if (state.appendOnly) return notices;
    const noticeHead = notices === '' ? '' : `${notices}\n\n`;
    return noticeHead + thinkingText(state.reasoningDisplay, state.reasoning, state.maxLength - noticeHead.length, state.texts);
  }
  const result = cutNext(state.answer, state.cursor, room, true);
  // Append-only: the closing fence of a cut not yet sealed comes with the sealed frame.
  if (result.type === 'cut') return head + (state.appendOnly ? result.part.reopen + result.part.body : partText(result.part));
  const body = reopenFor(state.cursor.fence, state.maxLength) + rest;
  if (state.appendOnly) return head + body;
  // A code block still being written is closed in the preview so it renders as code.
  const fence = openFenceAtEnd(rest, state.cursor.fence);
  const close = fence ? closeLine(fence, body) : '';
  return head + (body.length + close.length <= room ? body + close : body);
}

/** The last messages once the answer is over: the rest of the answer, then the note and footer. */
function finalTail(state: RenderState, end: NonNullable<RenderState['end']>): MessageFrame[] {
  const tail = [end.note, end.footer].filter((t): t is string => t !== undefined && t.trim() !== '').join('\n');
  const texts: string[] = [];
  let cursor = state.cursor;
  let index = state.sealed.length;
  for (;;) {
    const notices = index > state.sealed.length ? [] : state.notices;
    const head = headOf({ ...state, notices }, index);
    const room = state.maxLength - head.length;
    const rest = state.answer.slice(cursor.offset);
    if (rest.trim() === '') {
      const text = compose([head, tail]);
      if (text.length <= state.maxLength) texts.push(text);
      else texts.push(head.trimEnd(), clip(tail, state.maxLength));
      break;
    }
    const cut = cutNext(state.answer, cursor, room, true);
    if (cut.type === 'cut') {
      texts.push(head + partText(cut.part));
      cursor = cut.next;
      index += 1;
      continue;
    }
    const body = reopenFor(cursor.fence, state.maxLength) + rest;
    const fence = tail === '' ? undefined : openFenceAtEnd(rest, cursor.fence);
    const closed = fence ? body + closeLine(fence, body) : body;
    const text = head + compose([closed, tail]);
    if (text.length <= state.maxLength) {
      texts.push(text);
      break;
    }
    // The note does not fit after the rest: cut the rest shorter, or give the note its own message.
    const shorter = cutNext(state.answer, cursor, room - tail.length - 2 - (fence ? closeLine(fence, '').length : 0), true);
    // Append-only: the message already shows the whole rest, so the note gets its own message.
    if (shorter.type === 'cut' && tail.length < room / 2 && !state.appendOnly) {
      texts.push(head + partText(shorter.part));
      cursor = shorter.next;
      index += 1;
      continue;
    }
    texts.push(head + body, clip(tail, state.maxLength));
    break;
  }
  return texts.filter((text) => text.trim() !== '').map((text) => ({ text, state: 'final' }));
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${[...text].slice(0, limit - 2).join('')}…`;
}
