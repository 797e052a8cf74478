import type { Bound, Field, JsonField, NumberField, QueryNode, TextField } from './ast';

/**
 * A SQL boolean expression over the `logs` table (no alias). Column names come from the fixed
 * types of the AST; every value from the query, JSON keys included, goes through `param`, which
 * returns its placeholder (`$3`).
 */
export function compileQueryToSql(node: QueryNode, param: (value: unknown) => string): string {
  const sql = (child: QueryNode) => compileQueryToSql(child, param);
  switch (node.type) {
    case 'and':
      return `(${node.children.map(sql).join(' AND ')})`;
    case 'or':
      return `(${node.children.map(sql).join(' OR ')})`;
    case 'not':
      // A test on a NULL column is NULL, and so is its NOT: count it as false first, so that
      // `-host:web1` keeps the lines without a host.
      return `NOT coalesce(${sql(node.child)}, false)`;
    case 'word':
      return `(${prefilter(node.tokens, param)}log_tsv(message) @@ to_tsquery('simple', ${param(tsquery(node.tokens, node.prefix))}))`;
    case 'phrase':
      return `(${prefilter(node.tokens, param)}log_tsv(message) @@ phraseto_tsquery('simple', ${param(node.tokens.join(' '))}))`;
    case 'substring':
      return `message ILIKE ${param(node.pattern)}`;
    case 'level':
      return levelSql(node.levels, param);
    case 'equals':
      if (isMethod(node.field)) return `lower(method) = lower(${param(node.value)})`;
      return `${textSql(node.field, param)} = ${param(node.value)}`;
    case 'like':
      if (isMethod(node.field)) return `method ILIKE ${param(node.pattern)}`;
      return `${textSql(node.field, param)} LIKE ${param(node.pattern)}`;
    case 'range':
      return rangeSql(node.field, node.lower, node.upper, param);
    case 'exists': {
      const value = node.field.kind === 'number' ? node.field.column : textSql(node.field, param);
      return `${value} IS NOT NULL`;
    }
  }
}

/**
 * A cheap necessary condition for each token, so that most rows never reach `log_tsv()`: the hour
 * being written has no text index and is scanned (on indexed partitions the GIN drives the plan
 * and this is a mere recheck). For a token in ASCII, `ILIKE … COLLATE ucs_basic` (a C-locale
 * collation) folds ASCII letters only, at half the cost of ILIKE in the database's locale; a
 * message with any other character (octet_length <> char_length in UTF-8) is let through, since
 * lower() may turn one into an ASCII letter (the Kelvin sign into k). Other tokens use ILIKE in the
 * database's locale, as lower() does.
 */
function prefilter(tokens: string[], param: (value: unknown) => string): string {
  return tokens
    .map((token) =>
      isAscii(token)
        ? `(message ILIKE ${param(`%${token}%`)} COLLATE ucs_basic OR octet_length(message) <> char_length(message)) AND `
        : `message ILIKE ${param(`%${token}%`)} AND `,
    )
    .join('');
}

/** Letters and digits of ASCII only (tokens hold nothing else but letters and digits). */
function isAscii(token: string): boolean {
  return /^[0-9A-Za-z]*$/.test(token);
}

// Tokens hold only letters and digits (text-tokens.ts), never a tsquery operator, quote or
// backslash, so `a <-> b:*` built from them is a well-formed tsquery that means just these words.
function tsquery(tokens: string[], prefix: boolean): string {
  return `${tokens.join(' <-> ')}${prefix ? ':*' : ''}`;
}

function levelSql(levels: number[], param: (value: unknown) => string): string {
  if (levels.length === 0) return 'FALSE';
  if (levels.length === 1) return `level = ${param(levels[0])}`;
  return `level = ANY(${param(levels)}::smallint[])`;
}

function textSql(field: TextField | JsonField, param: (value: unknown) => string): string {
  return field.kind === 'text' ? field.column : `fields->>${param(field.key)}`;
}

function rangeSql(
  field: NumberField | JsonField,
  lower: Bound | null,
  upper: Bound | null,
  param: (value: unknown) => string,
): string {
  // status_code is a smallint: a smallint placeholder would make `status:70000` an SQL error.
  const cast = field.kind === 'number' && field.column === 'status_code' ? '::bigint' : '';
  const value = numberSql(field, param);
  const bound = (end: Bound) => `${param(end.value)}${cast}`;
  if (lower && upper && lower.inclusive && upper.inclusive && lower.value === upper.value)
    return `${value} = ${bound(lower)}`;
  const tests: string[] = [];
  if (lower) tests.push(`${value} ${lower.inclusive ? '>=' : '>'} ${bound(lower)}`);
  if (upper) tests.push(`${value} ${upper.inclusive ? '<=' : '<'} ${bound(upper)}`);
  if (tests.length === 0) return `${value} IS NOT NULL`;
  return tests.length === 1 ? tests[0] : `(${tests.join(' AND ')})`;
}

// A JSON value that is not a number (a string "12", true, an object) is not compared: the CASE
// gives NULL instead of letting ::numeric raise an error.
function numberSql(field: NumberField | JsonField, param: (value: unknown) => string): string {
  if (field.kind === 'number') return field.column;
  const key = param(field.key);
  return `CASE WHEN jsonb_typeof(fields->${key}) = 'number' THEN (fields->>${key})::numeric END`;
}

function isMethod(field: Field): boolean {
  return field.kind === 'text' && field.column === 'method';
}
