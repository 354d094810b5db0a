import { describe, expect, it } from 'vitest';
import { MS_PER_DAY, utcDayString, utcMonthRangeMs } from './utc-calendar.js';

describe('utc calendar', () => {
  it('names the UTC day of a day index', () => {
    expect(utcDayString(0)).toBe('1970-01-01');
    expect(utcDayString(Math.floor(Date.UTC(2026, 1, 28, 23, 59, 59, 999) / MS_PER_DAY))).toBe('2026-02-28');
  });

  it('gives the UTC month around an instant, across a year end', () => {
    expect(utcMonthRangeMs(Date.UTC(2025, 11, 31, 23, 59))).toEqual({ fromMs: Date.UTC(2025, 11, 1), toMs: Date.UTC(2026, 0, 1) });
    expect(utcMonthRangeMs(Date.UTC(2026, 2, 1))).toEqual({ fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 3, 1) });
  });
});
