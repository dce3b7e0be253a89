import { expect, test } from 'vitest';
import { quotaDay } from '../../src/quota/quota-day.ts';

const at = (iso: string) => Date.parse(iso);

test('the day is the local date in TZ and ends at the next local midnight', () => {
  // 23:30 UTC on 1 May is already 2 May in Berlin (UTC+2 in summer).
  expect(quotaDay(at('2026-05-01T23:30:00Z'), 'Europe/Berlin')).toEqual({ key: '2026-05-02', endsAt: at('2026-05-02T22:00:00Z') });
  expect(quotaDay(at('2026-05-01T23:30:00Z'), 'UTC')).toEqual({ key: '2026-05-01', endsAt: at('2026-05-02T00:00:00Z') });
  expect(quotaDay(at('2026-05-01T23:30:00Z'), 'America/New_York')).toEqual({ key: '2026-05-01', endsAt: at('2026-05-02T04:00:00Z') });
  expect(quotaDay(at('2026-12-31T15:59:59.999Z'), 'Asia/Taipei')).toEqual({ key: '2026-12-31', endsAt: at('2026-12-31T16:00:00Z') });
});

test('one instant before local midnight is still today; midnight itself is tomorrow', () => {
  const midnight = at('2026-05-02T22:00:00Z');
  expect(quotaDay(midnight - 1, 'Europe/Berlin').key).toBe('2026-05-02');
  expect(quotaDay(midnight, 'Europe/Berlin')).toEqual({ key: '2026-05-03', endsAt: at('2026-05-03T22:00:00Z') });
});

test('days that change the clocks are 23 or 25 hours long', () => {
  // Berlin springs forward on 29 March 2026 (02:00 → 03:00) and falls back on 25 October.
  const spring = quotaDay(at('2026-03-29T12:00:00Z'), 'Europe/Berlin');
  expect(spring).toEqual({ key: '2026-03-29', endsAt: at('2026-03-29T22:00:00Z') });
  expect(spring.endsAt - at('2026-03-28T23:00:00Z')).toBe(23 * 3_600_000);
  const autumn = quotaDay(at('2026-10-25T12:00:00Z'), 'Europe/Berlin');
  expect(autumn).toEqual({ key: '2026-10-25', endsAt: at('2026-10-25T23:00:00Z') });
  expect(autumn.endsAt - at('2026-10-24T22:00:00Z')).toBe(25 * 3_600_000);
});

test('where midnight does not exist, the day starts when the clocks jump', () => {
  // Chile (America/Santiago) springs forward at 24:00 on the first Saturday of September: 00:00 becomes 01:00.
  // In 2026 that is 6 September, at 04:00 UTC (UTC-4 becomes UTC-3).
  const day = quotaDay(at('2026-09-05T12:00:00Z'), 'America/Santiago');
  expect(day).toEqual({ key: '2026-09-05', endsAt: at('2026-09-06T04:00:00Z') });
  expect(quotaDay(day.endsAt, 'America/Santiago').key).toBe('2026-09-06');
  expect(quotaDay(day.endsAt - 1, 'America/Santiago').key).toBe('2026-09-05');
});
