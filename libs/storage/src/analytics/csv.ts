/**
 * CSV cells that are safe to open in a spreadsheet (RFC 4180 quoting, OWASP formula-injection
 * guard). Pure: no Nest, no I/O.
 */

/** A spreadsheet treats a cell starting with one of these as a formula (or strips it first). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One text cell. Text that would start a formula gets a leading `'` (OWASP: `=cmd|' /C calc'!A0`
 * becomes `'=cmd|' /C calc'!A0`, shown as text); a cell with a quote, comma or line break is
 * quoted, inner quotes doubled. null/undefined → empty cell.
 */
export function csvTextCell(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A number we formatted ourselves (never user text): no formula guard, so -1 stays -1. */
export function csvNumberCell(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
}

/** Cells joined into one record, ended by CRLF as RFC 4180 asks. */
export function csvRecord(cells: string[]): string {
  return `${cells.join(',')}\r\n`;
}
