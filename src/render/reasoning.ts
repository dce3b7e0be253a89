/**
 * How the model's reasoning shows while it thinks and above the answer, per
 * REASONING_DISPLAY: `off` says only that it thinks, `status` adds the latest
 * bold heading of its reasoning summary, `full` quotes the reasoning itself.
 */
import type { ReasoningDisplay } from '../config.ts';
import type { UserText } from '../user-text.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The latest complete `**heading**` in the reasoning, if any. */
export function latestHeading(reasoning: string): string | undefined {
  let heading: string | undefined;
  for (const match of reasoning.matchAll(/\*\*([^*\n]+)\*\*/g)) heading = match[1]?.trim() || heading;
  return heading;
}

/** What shows while the model reasons and no answer text has come, in at most `room` characters. */
export function thinkingText(mode: ReasoningDisplay, reasoning: string, room: number, texts: UserText): string {
  if (mode === 'full' && reasoning.trim() !== '') return quotedReasoning(reasoning, room, texts);
  const status = texts.thinking(mode === 'status' ? latestHeading(reasoning) : undefined);
  return status.length <= room ? status : texts.thinking(undefined);
}

/**
 * The reasoning as a titled block quote of at most `room` characters. When it
 * does not fit, its end is kept (the latest thought) after an ellipsis.
 */
export function quotedReasoning(reasoning: string, room: number, texts: UserText): string {
  const title = `**${texts.reasoningTitle}**`;
  const quote = (text: string) =>
    `${title}\n${text
      .trim()
      .split('\n')
      .map((line) => `> ${line}`.trimEnd())
      .join('\n')}`;
  const whole = quote(reasoning);
  if (whole.length <= room) return whole;
  // Only the last `room` characters can fit. Their first grapheme may be cut, so it always goes;
  // then whole graphemes leave from the front until the quote fits.
  const tail = reasoning.trim().slice(-room);
  const starts = [...graphemes.segment(tail)].map((s) => s.index).slice(1);
  const fits = (i: number) => quote(`…${tail.slice(starts[i] ?? tail.length)}`).length <= room;
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (fits(mid)) high = mid;
    else low = mid + 1;
  }
  return low < starts.length && fits(low) ? quote(`…${tail.slice(starts[low])}`) : '';
}
