/**
 * The system prompt of one turn: the channel's or thread's persona if one is set,
 * else SYSTEM_PROMPT, with its placeholders filled for this turn: `{date}` and
 * `{time}` in the configured time zone, `{platform}`, `{channel}`, `{bot_name}`.
 * Other braces are left alone (a prompt may hold JSON).
 */
import type { TurnPlace } from './types.ts';

/** What a turn knows of its place when the adapter did not say (the terminal, tests). */
const FALLBACK = { platform: 'a chat', channel: 'this conversation', botName: 'Gemini' } as const;

export interface PromptFacts {
  /** The turn's time, ms since the epoch. */
  readonly now: number;
  /** An IANA time zone (TZ). */
  readonly timeZone: string;
  readonly place: TurnPlace | undefined;
}

/** `Friday, 2026-05-01`: the weekday helps the model with "next Monday"; ISO order is unambiguous everywhere. */
export function formatDate(now: number, timeZone: string): string {
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long' }).format(now);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return `${weekday}, ${day}`;
}

/** `14:05 (Europe/Berlin)`, 24-hour. */
export function formatTime(now: number, timeZone: string): string {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
  return `${time} (${timeZone})`;
}

export function renderSystemPrompt(template: string, facts: PromptFacts): string {
  const values: Record<string, () => string> = {
    date: () => formatDate(facts.now, facts.timeZone),
    time: () => formatTime(facts.now, facts.timeZone),
    platform: () => facts.place?.platform ?? FALLBACK.platform,
    channel: () => facts.place?.channel ?? FALLBACK.channel,
    bot_name: () => facts.place?.botName ?? FALLBACK.botName,
  };
  return template.replace(/\{(date|time|platform|channel|bot_name)\}/g, (_, name: string) => values[name]?.() ?? '');
}
