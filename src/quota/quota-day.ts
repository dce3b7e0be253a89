/**
 * The day a quota counts: midnight to midnight in the configured time zone (TZ),
 * so "today" means the same to the bot as to the people it serves. Counters are
 * keyed by the day's date, so a new day starts from zero by itself; the end of
 * the day is when the counters of the one before may expire, and the reset time
 * the quota message and `/usage` show.
 */

export interface QuotaDay {
  /** The local date, `2026-05-01`: part of every counter's key. */
  readonly key: string;
  /** When the next day begins (ms since the epoch): local midnight, or the first instant after it that exists. */
  readonly endsAt: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The local wall-clock date and time at `at`, as `Intl` gives them in `timeZone`. */
function wallClock(at: number, timeZone: string): { year: number; month: number; day: number; asUtc: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const [year, month, day] = [field('year'), field('month'), field('day')];
  const asUtc = Date.UTC(year, month - 1, day, field('hour'), field('minute'), field('second')) + (at % 1000 + 1000) % 1000;
  return { year, month, day, asUtc };
}

/** How far the zone's clocks are ahead of UTC at `at`. */
const offsetAt = (at: number, timeZone: string) => wallClock(at, timeZone).asUtc - at;

const dateKey = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** The quota day `now` falls in. `timeZone` is an IANA name config.ts has already checked. */
export function quotaDay(now: number, timeZone: string): QuotaDay {
  const today = wallClock(now, timeZone);
  // Next midnight as a wall-clock reading, then as an instant under each offset in force around it:
  // a daylight-saving change near midnight gives two candidates. The day ends at the earliest one
  // whose local date is already tomorrow; where midnight is skipped (clocks jump 00:00 → 01:00) that
  // is the jump itself.
  const midnight = Date.UTC(today.year, today.month - 1, today.day + 1);
  const tomorrow = new Date(midnight);
  const tomorrowKey = dateKey(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate());
  const candidates = [offsetAt(midnight - DAY_MS, timeZone), offsetAt(midnight + DAY_MS, timeZone)]
    .map((offset) => midnight - offset)
    .filter((at) => {
      const local = wallClock(at, timeZone);
      return dateKey(local.year, local.month, local.day) === tomorrowKey;
    });
  const endsAt = candidates.length > 0 ? Math.min(...candidates) : midnight - offsetAt(midnight, timeZone);
  return { key: dateKey(today.year, today.month, today.day), endsAt };
}
