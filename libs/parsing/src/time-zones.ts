/**
 * Minutes east of UTC of a time zone at an instant: a fixed offset (`+02:00`, `-0530`, `Z`) or an
 * IANA name (`Europe/Berlin`, daylight saving included). Undefined for an unknown zone.
 */
export function utcOffsetMinutes(timeZone: string, at: number): number | undefined {
  const fixed = /^(?:UTC|GMT|Z)?([+-])(\d{2}):?(\d{2})?$/i.exec(timeZone.trim());
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0));
  if (/^(UTC|GMT|Z)$/i.test(timeZone.trim())) return 0;
  let format: Intl.DateTimeFormat;
  try {
    format =
      formatters.get(timeZone) ??
      new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  } catch {
    return undefined;
  }
  formatters.set(timeZone, format);
  const name =
    format.formatToParts(new Date(at)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function isValidTimeZone(timeZone: string): boolean {
  return utcOffsetMinutes(timeZone, Date.now()) !== undefined;
}
