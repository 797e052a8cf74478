// The Lookout query language (README.md beside this file): parser, SQL compiler, in-memory matcher
// and highlighting. Pure functions: no Nest, no I/O.
export type { Bound, Field, JsonField, NumberField, QueryNode, TextField } from './ast';
export { QuerySyntaxError } from './query-syntax-error';
export { parseQuery, MAX_NESTING, MAX_QUERY_LENGTH, MAX_TERMS } from './parser';
export { compileQueryToSql } from './compile-sql';
export { compileQueryMatcher } from './matcher';
export { highlightSpans } from './highlight';
export { fullTextTerms } from './full-text-terms';
