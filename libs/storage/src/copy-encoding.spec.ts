import fc from 'fast-check';
import {
  TimestampFormatter,
  copyJson,
  copyNumber,
  copyText,
  formatTimestamp,
  isStorableTimestamp,
} from './copy-encoding';
import { decodeCursor, encodeCursor } from './log-cursor';

describe('COPY text encoding', () => {
  it('escapes the characters COPY treats specially and drops NUL', () => {
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText('nul\0byte')).toBe('nulbyte');
    expect(copyText(null)).toBe('\\N');
    expect(copyText('plain')).toBe('plain');
  });

  it('writes numbers and NULLs', () => {
    expect(copyNumber(12.5)).toBe('12.5');
    expect(copyNumber(null)).toBe('\\N');
    expect(copyNumber(Number.NaN)).toBe('\\N');
  });

  it('writes JSON that jsonb accepts', () => {
    expect(copyJson({})).toBe('\\N');
    expect(copyJson({ a: 'x\ty' })).toBe('{"a":"x\\\\ty"}');
    const sanitized = copyJson({ nul: 'a\0b', lone: 'x\uD800y' });
    expect(sanitized).not.toContain('\\\\u0000');
    expect(JSON.parse(sanitized)).toEqual({ nul: 'a\uFFFDb', lone: 'x\uFFFDy' });
  });

  it('formats timestamps with microseconds', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6) + 0.789)).toBe(
      '2026-01-02T03:04:05.006789Z',
    );
    expect(formatTimestamp(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isStorableTimestamp(Date.UTC(2099, 0, 1))).toBe(true);
    expect(isStorableTimestamp(8.64e15)).toBe(false);
  });

  it('formats like the ISO reference, whatever the order of the values (second cache)', () => {
    const reference = (ms: number): string => {
      const whole = Math.floor(ms);
      const micros = Math.min(999, Math.round((ms - whole) * 1000));
      return `${new Date(whole).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
    };
    const storable = fc.double({
      min: Date.UTC(1, 0, 1),
      max: Date.UTC(9999, 11, 31, 23, 59, 58),
      noNaN: true,
    });
    // Neighbouring values (same second, next millisecond, a second apart) and random ones mixed.
    const sequence = fc.array(
      fc.oneof(
        storable,
        storable.map((ms) => Math.floor(ms / 1000) * 1000 + 999.9996),
        fc.constantFrom(0, -0.5, -1, -1000.25, 999.9999, 1000, 1763800000000.123),
      ),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(sequence, (values) => {
        const formatter = new TimestampFormatter();
        for (const ms of values) expect(formatter.format(ms)).toBe(reference(ms));
      }),
      { numRuns: 500 },
    );
  });
});

describe('log cursor', () => {
  it('round-trips and refuses anything else', () => {
    const cursor = { ts: '2026-11-21T10:00:00.123456Z', id: '42' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('bm90IGEgY3Vyc29y')).toBeUndefined();
    expect(decodeCursor('%%%')).toBeUndefined();
  });
});
