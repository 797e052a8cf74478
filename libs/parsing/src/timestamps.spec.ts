// Date readers used by the built-in formats.
import fc from 'fast-check';
import {
  apacheErrorDateToMs,
  httpDateToMs,
  isoToMs,
  isoToMsInZone,
  leadingTimestamp,
  leadingTimestampInZone,
  nginxErrorDateToMs,
  timestampFromValue,
  timestampFromValueInZone,
} from './timestamps';

describe('httpDateToMs', () => {
  it('reads HTTPDATE with its zone', () => {
    expect(httpDateToMs('10/Oct/2000:13:55:36 -0700')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(httpDateToMs('07/Dec/2016:11:05:07 +0100')).toBe(Date.UTC(2016, 11, 7, 10, 5, 7));
    // The zone in the text wins over the configured offset.
    expect(httpDateToMs('07/Dec/2016:11:05:07 +0000', 120)).toBe(Date.UTC(2016, 11, 7, 11, 5, 7));
  });

  it('reads a zone-less time at the given offset, and a fraction of a second', () => {
    expect(httpDateToMs('07/Dec/2016:11:05:07', -120)).toBe(Date.UTC(2016, 11, 7, 13, 5, 7));
    expect(httpDateToMs('07/Dec/2016:11:05:07.123456 +0000')).toBeCloseTo(
      Date.UTC(2016, 11, 7, 11, 5, 7) + 123.456,
      6,
    );
  });

  it.each([
    '31/Feb/2016:11:05:07 +0000',
    '07/Foo/2016:11:05:07 +0000',
    '07/Dec/2016:25:05:07 +0000',
    '07/Dec/2016:11:05:07 0100',
    '07/Dec/2016:11:05:07 +01000',
    '7/Dec/2016:11:05:07 +0100',
    '',
  ])('rejects %p', (text) => {
    expect(httpDateToMs(text)).toBeUndefined();
  });

  it('knows leap years', () => {
    expect(httpDateToMs('29/Feb/2024:00:00:00 +0000')).toBe(Date.UTC(2024, 1, 29));
    expect(httpDateToMs('29/Feb/2100:00:00:00 +0000')).toBeUndefined();
  });
});

describe('apacheErrorDateToMs', () => {
  it('reads 2.2 and 2.4 dates at the given offset, keeping microseconds', () => {
    expect(apacheErrorDateToMs('Mon Dec 26 16:22:08 2016', -120)).toBe(
      Date.UTC(2016, 11, 26, 18, 22, 8),
    );
    expect(apacheErrorDateToMs('Wed Oct 11 14:32:52.123456 2000')).toBeCloseTo(
      Date.UTC(2000, 9, 11, 14, 32, 52) + 123.456,
      6,
    );
    expect(apacheErrorDateToMs('Fri Sep  9 10:42:29 2011')).toBe(Date.UTC(2011, 8, 9, 10, 42, 29));
  });

  it('rejects other shapes', () => {
    expect(apacheErrorDateToMs('Dec 26 16:22:08 2016')).toBeUndefined();
    expect(apacheErrorDateToMs('Mon Dec 32 16:22:08 2016')).toBeUndefined();
  });
});

describe('nginxErrorDateToMs', () => {
  it('reads YYYY/MM/DD HH:MM:SS at the given offset', () => {
    expect(nginxErrorDateToMs('2016/10/25 14:49:34')).toBe(Date.UTC(2016, 9, 25, 14, 49, 34));
    expect(nginxErrorDateToMs('2016/10/25 14:49:34', 60)).toBe(Date.UTC(2016, 9, 25, 13, 49, 34));
  });

  it('rejects other shapes', () => {
    expect(nginxErrorDateToMs('2016-10-25 14:49:34')).toBeUndefined();
    expect(nginxErrorDateToMs('2016/13/25 14:49:34')).toBeUndefined();
    expect(nginxErrorDateToMs('2016/10/25 14:49:34 ')).toBeUndefined();
  });
});

describe('zone-aware ISO readers', () => {
  it('read zone-less times at the offset and leave zoned ones alone', () => {
    expect(isoToMsInZone('2024-01-01T10:00:00', 120)).toBe(Date.UTC(2024, 0, 1, 8));
    expect(isoToMsInZone('2024-01-01T10:00:00Z', 120)).toBe(Date.UTC(2024, 0, 1, 10));
    expect(isoToMsInZone('2024-01-01T10:00:00-01:00', 120)).toBe(Date.UTC(2024, 0, 1, 11));
    expect(leadingTimestampInZone('2024-01-01 10:00:00,5 INFO up', -60)).toBe(
      Date.UTC(2024, 0, 1, 11, 0, 0, 500),
    );
  });

  it('read structured values: zone-less ISO text at the offset, epochs as they are', () => {
    expect(timestampFromValueInZone('2024-01-01 10:00:00', -120)).toBe(Date.UTC(2024, 0, 1, 12));
    expect(timestampFromValueInZone(' 1700000000 ', 120)).toBe(1_700_000_000_000);
    expect(timestampFromValueInZone(1_700_000_000_123, 120)).toBe(1_700_000_000_123);
    expect(timestampFromValueInZone('soon', 0)).toBeUndefined();
  });

  it('leave isoToMs, leadingTimestamp and timestampFromValue as they were (zone-less is UTC)', () => {
    expect(isoToMs('2024-01-01T10:00:00')).toBe(Date.UTC(2024, 0, 1, 10));
    expect(timestampFromValue('2024-01-01T10:00:00')).toBe(Date.UTC(2024, 0, 1, 10));
    expect(leadingTimestamp('2024-01-01T10:00:00 x')).toBe(Date.UTC(2024, 0, 1, 10));
  });
});

describe('ISO 8601 in UTC (the fast reader)', () => {
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  // Fields a little beyond their ranges too, so refusals are compared as well.
  const isoText = fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 24 }),
      minute: fc.integer({ min: 0, max: 60 }),
      second: fc.integer({ min: 0, max: 61 }),
      separator: fc.constantFrom('.', ','),
      fraction: fc.stringMatching(/^[0-9]{0,10}$/),
    })
    .map(
      (t) =>
        `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}` +
        (t.fraction ? `${t.separator}${t.fraction}` : ''),
    );

  it('reads `…Z` exactly as the general reader reads the same time with +00:00', () => {
    fc.assert(
      fc.property(isoText, (text) => {
        expect(isoToMs(`${text}Z`)).toBe(isoToMs(`${text}+00:00`));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the common forms', () => {
    expect(isoToMs('2026-11-21T10:00:00Z')).toBe(Date.UTC(2026, 10, 21, 10));
    expect(isoToMs('2026-11-21T10:00:00.123Z')).toBe(Date.UTC(2026, 10, 21, 10) + 123);
    expect(isoToMs('2026-11-21T10:00:00.123456789Z')).toBeCloseTo(
      Date.UTC(2026, 10, 21, 10) + 123.456,
      6,
    );
    expect(isoToMs('2026-11-21T10:00:00.Z')).toBeUndefined();
    expect(isoToMs('2026-11-21T10:00:00.1234567890Z')).toBeUndefined();
    expect(isoToMs('2026-11-21T10:0a:00Z')).toBeUndefined();
  });
});
