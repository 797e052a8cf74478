/** A query that cannot be parsed: where, and what the parser expected there. */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';

  constructor(
    /** 0-based character offset in the query. */
    readonly position: number,
    /** What would have been valid there, e.g. `")"` or `a number for latency_ms`. */
    readonly expected: string,
    /** What was there instead, e.g. `end of query` or `"abc"`. */
    readonly found: string,
  ) {
    super(`at position ${position}: expected ${expected} but found ${found}`);
  }
}
