/**
 * The parsed form of a Lookout query. It is already normalised for the two compilers (SQL and
 * in-memory): words are lower-cased tokens, wildcards are SQL LIKE patterns, level terms are sets of
 * syslog severities and number terms are ranges.
 */
export type QueryNode =
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  /**
   * Full-text word: the message has these tokens one after another (`orders/42` gives `orders`, `42`).
   * With `prefix` (`time*`), the last token only has to start with its text.
   */
  | { type: 'word'; tokens: string[]; prefix: boolean }
  /** Full-text phrase (`"connection refused"`): the message has these tokens one after another. */
  | { type: 'phrase'; tokens: string[] }
  /**
   * Case-insensitive LIKE pattern on the whole message: a free word with wildcards (`*fail?d*`), or
   * a word with no letter or digit to search by (`->`). The pattern starts and ends with `%`.
   */
  | { type: 'substring'; pattern: string }
  /** The level is one of these syslog severities (0 emergency … 7 debug), ascending; may be empty. */
  | { type: 'level'; levels: number[] }
  /** Exact text match (case-insensitive for `method`; a `fields` value as `->>` turns it to text). */
  | { type: 'equals'; field: TextField | JsonField; value: string }
  /** LIKE pattern on the whole value: `%` any run, `_` one character, `\` escapes (ILIKE for `method`). */
  | { type: 'like'; field: TextField | JsonField; pattern: string }
  /** Number comparison; a missing end is open. `status:500` is the range [500, 500]. */
  | { type: 'range'; field: NumberField | JsonField; lower: Bound | null; upper: Bound | null }
  /** The field has a value (`host:*`). */
  | { type: 'exists'; field: Field };

export interface Bound {
  value: number;
  inclusive: boolean;
}

export interface TextField {
  kind: 'text';
  column: 'source' | 'host' | 'path' | 'method';
}

export interface NumberField {
  kind: 'number';
  column: 'status_code' | 'latency_ms';
}

/** A key of the `fields` jsonb column; `fields.trace.id` is the single key `trace.id`. */
export interface JsonField {
  kind: 'json';
  key: string;
}

export type Field = TextField | NumberField | JsonField;
