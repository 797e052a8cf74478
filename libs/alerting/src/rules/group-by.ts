// Group-by fields of a rule: one alert per distinct value (per host, per endpoint…). Read from a
// stored line in the worker, and from the `logs` table in SQL for the backtest. Pure.
import { levelName, type LogRecord } from '@app/contracts';
import { RuleSettingsError } from './rule-type';

export interface GroupField {
  /** As the rule names it: `host`, `fields.tenant`. */
  name: string;
  /** The value of a line as text; null when the line has none. */
  read(record: LogRecord): string | null;
  /** The SQL expression over `logs` giving the same text (parameters through `param`). */
  sql(param: (value: unknown) => string): string;
}

const COLUMNS: Record<string, Omit<GroupField, 'name'>> = {
  source: { read: (record) => record.source, sql: () => 'source' },
  host: { read: (record) => record.host, sql: () => 'host' },
  path: { read: (record) => record.path, sql: () => 'path' },
  method: { read: (record) => record.method, sql: () => 'method' },
  status: {
    read: (record) => (record.statusCode === null ? null : String(record.statusCode)),
    sql: () => 'status_code::text',
  },
  // The SQL gives the number; the backtest turns it into the name (levelName) like read() does.
  level: { read: (record) => record.level, sql: () => 'level::text' },
};

const JSON_PREFIX = 'fields.';
export const GROUP_FIELD_NAMES = `${Object.keys(COLUMNS).join(', ')} or fields.<name>`;
export const MAX_GROUP_FIELDS = 3;

/** The group-by fields of a rule; throws RuleSettingsError for an unknown field. */
export function parseGroupBy(names: readonly string[]): GroupField[] {
  if (names.length > MAX_GROUP_FIELDS)
    throw new RuleSettingsError(`groupBy takes at most ${MAX_GROUP_FIELDS} fields`);
  const seen = new Set<string>();
  return names.map((raw) => {
    const name = raw.trim();
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw new RuleSettingsError(`groupBy names ${name} twice`);
    seen.add(lower);
    if (Object.hasOwn(COLUMNS, lower)) return { name: lower, ...COLUMNS[lower] };
    if (lower.startsWith(JSON_PREFIX) && name.length > JSON_PREFIX.length) {
      const key = name.slice(JSON_PREFIX.length);
      return {
        name,
        read: (record) => jsonText(Object.hasOwn(record.fields, key) ? record.fields[key] : null),
        sql: (param) => `(fields->>${param(key)})`,
      };
    }
    throw new RuleSettingsError(`groupBy field "${name}" is unknown: use ${GROUP_FIELD_NAMES}`);
  });
}

/** A JSON value as `->>` gives it: strings as they are, others as JSON text, null as null. */
function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The text of a level number as SQL returns it (`level::text`) → its name, as read() gives it. */
export function levelFromSql(text: string | null): string | null {
  return text === null ? null : levelName(Number(text));
}

/** A group: its values by field name, and its stable key. */
export interface Group {
  values: Record<string, string>;
  key: string;
}

export const UNGROUPED: Group = { values: {}, key: '' };

/** The group of a line; a missing value groups as ''. */
export function groupOf(fields: readonly GroupField[], record: LogRecord): Group {
  if (fields.length === 0) return UNGROUPED;
  return groupFromEntries(fields.map((field) => [field.name, field.read(record) ?? '']));
}

export function groupFromEntries(entries: [string, string][]): Group {
  return { values: Object.fromEntries(entries), key: encodeGroupKey(entries) };
}

/**
 * `host=web-1,path=/api` — readable, and reversible: `%`, `,` and `=` in values (and names) are
 * percent-encoded, so any value round-trips through decodeGroupKey.
 */
export function encodeGroupKey(entries: [string, string][]): string {
  return entries.map(([name, value]) => `${escape(name)}=${escape(value)}`).join(',');
}

export function decodeGroupKey(key: string): Record<string, string> {
  if (key === '') return {};
  return Object.fromEntries(
    key.split(',').map((part) => {
      const at = part.indexOf('=');
      return [decodeURIComponent(part.slice(0, at)), decodeURIComponent(part.slice(at + 1))];
    }),
  );
}

function escape(text: string): string {
  return text.replace(/[%,=]/g, (char) => encodeURIComponent(char));
}
