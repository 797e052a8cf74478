/**
 * A `fields` value as text, as PostgreSQL's `fields->>'key'` gives it for the JSON that Lookout
 * stored (JSON.stringify of the same value): strings as they are, JSON null and missing keys as
 * SQL NULL (null here), anything else in jsonb's output format.
 */
export function jsonbText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : jsonbOutput(value);
}

// jsonb prints `, ` and `: ` between items, object keys shortest first then bytewise, and numbers
// as numeric does (never with an exponent).
function jsonbOutput(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? numericText(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(jsonbOutput).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${jsonbOutput(item)}`).join(', ')}}`;
  }
  return 'null';
}

function compareKeys(a: string, b: string): number {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length - right.length || Buffer.compare(left, right);
}

/** `1e+21` → `1000000000000000000000`, `1.5e-7` → `0.00000015`: numeric's plain notation. */
function numericText(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, first, rest = '', exponentText] = match;
  const digits = first + rest;
  const exponent = Number(exponentText);
  // JavaScript only uses exponents below 1e-6 and from 1e21, so the point is never inside `digits`.
  return exponent < 0
    ? `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`
    : `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}`;
}
