/** Quotes a value for the query language: inside quotes only `"` and `\` need escaping. */
export function quoteValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface ComposedQuery {
  text: string;
  /** Where the user's query starts in `text` (to map an error position back). */
  offset: number;
}

/**
 * The live-tail subscription takes one query; source and host filters are added to the user's
 * query as exact field terms.
 */
export function composeTailQuery(query: string, source: string, host: string): ComposedQuery {
  const terms: string[] = [];
  if (source.trim()) terms.push(`source:${quoteValue(source.trim())}`);
  if (host.trim()) terms.push(`host:${quoteValue(host.trim())}`);
  const q = query.trim();
  if (terms.length === 0) return { text: q, offset: 0 };
  if (q === '') return { text: terms.join(' '), offset: 0 };
  // The user's query first, in parentheses, so its error positions shift by one only.
  return { text: `(${q}) ${terms.join(' ')}`, offset: 1 };
}
