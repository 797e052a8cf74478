import { isValidTimeZone, utcOffsetMinutes } from './time-zones';

describe('utcOffsetMinutes', () => {
  it('reads fixed offsets', () => {
    expect(utcOffsetMinutes('+02:00', 0)).toBe(120);
    expect(utcOffsetMinutes('-0530', 0)).toBe(-330);
    expect(utcOffsetMinutes('UTC', 0)).toBe(0);
  });

  it('follows daylight saving for IANA zones', () => {
    expect(utcOffsetMinutes('Europe/Berlin', Date.UTC(2026, 0, 15))).toBe(60);
    expect(utcOffsetMinutes('Europe/Berlin', Date.UTC(2026, 6, 15))).toBe(120);
    expect(utcOffsetMinutes('America/New_York', Date.UTC(2026, 6, 15))).toBe(-240);
  });

  it('refuses unknown zones', () => {
    expect(utcOffsetMinutes('Mars/Olympus', 0)).toBeUndefined();
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('nowhere')).toBe(false);
  });
});
