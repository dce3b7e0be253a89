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
  /** Tells `{date}` and `{time}` in the configured time zone. */
  readonly clock: PromptClock;
  readonly place: TurnPlace | undefined;
}

/**
 * The date and time placeholders in one IANA time zone (TZ). Its formatters are made once:
 * each `Intl.DateTimeFormat` costs ICU a few hundred microseconds and native memory the
 * garbage collector does not see, which 500 turns starting at once paid about 200 ms for.
 */
export class PromptClock {
  readonly timeZone: string;
  readonly #weekday: Intl.DateTimeFormat;
  readonly #day: Intl.DateTimeFormat;
  readonly #time: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#weekday = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long' });
    this.#day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.#time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  /** `Friday, 2026-05-01`: the weekday helps the model with "next Monday"; ISO order is unambiguous everywhere. */
  date(now: number): string {
    return `${this.#weekday.format(now)}, ${this.#day.format(now)}`;
  }

  /** `14:05 (Europe/Berlin)`, 24-hour. */
  time(now: number): string {
    return `${this.#time.format(now)} (${this.timeZone})`;
  }
}

/** `{date}` at `now` in `timeZone`, for one-off uses; a turn's prompt uses its builder's clock. */
export const formatDate = (now: number, timeZone: string): string => new PromptClock(timeZone).date(now);

export function renderSystemPrompt(template: string, facts: PromptFacts): string {
  const values: Record<string, () => string> = {
    date: () => facts.clock.date(facts.now),
    time: () => facts.clock.time(facts.now),
    platform: () => facts.place?.platform ?? FALLBACK.platform,
    channel: () => facts.place?.channel ?? FALLBACK.channel,
    bot_name: () => facts.place?.botName ?? FALLBACK.botName,
  };
  return template.replace(/\{(date|time|platform|channel|bot_name)\}/g, (_, name: string) => values[name]?.() ?? '');
}
