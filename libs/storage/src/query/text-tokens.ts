/*
 * The words of a message exactly as the SQL function log_tsv(message) indexes them:
 * to_tsvector('simple', regexp_replace(lower(message), '[^[:alnum:]]+', ' ', 'g')).
 * The in-memory matcher and the highlighter must find what PostgreSQL finds, so every rule here was
 * checked against PostgreSQL 15 in a C.UTF-8 database (query-sql.int-spec.ts keeps checking it).
 */

// [[:alnum:]] in a C.UTF-8 database (glibc classes) is Unicode Alphabetic plus decimal digits,
// except for characters added to Unicode after the server's glibc.
const WORD_RUN = /[\p{Alphabetic}\p{Nd}]+/gu;
// The `simple` parser reads digits, `e`, digits as one number and starts a new word after it:
// `1e5abc` gives `1e5` and `abc`. No other run of letters and digits is split.
const LEADING_EXPONENT_NUMBER = /^[0-9]+e[0-9]+(?=[^0-9])/;
// PostgreSQL leaves out longer words ("word is too long to be indexed").
const MAX_WORD_BYTES = 2047;
// A tsvector stores positions up to 16383 (later words all get 16383) and at most 255 per word.
const MAX_POSITION = 16383;
const MAX_POSITIONS_PER_WORD = 255;

/** A word of a text: its lexeme and where it is, as [start, end) string offsets. */
export interface TextToken {
  lexeme: string;
  start: number;
  end: number;
}

/** Each lexeme of a text with its positions, as a tsvector holds them. */
export type Lexemes = Map<string, number[]>;

/**
 * Lower case as PostgreSQL's lower() in a C.UTF-8 database: code point by code point, so there is
 * no final-sigma rule, and `İ` becomes `i` (JavaScript gives `i` plus a combining dot). Every other
 * code point keeps its UTF-16 length, so offsets in the result are offsets in the input.
 */
export function pgLower(text: string): string {
  if (!/[İΣ]/.test(text)) return text.toLowerCase();
  let lower = '';
  for (const char of text) lower += char === 'İ' ? 'i' : char.toLowerCase();
  return lower;
}

/** The words of a text in order, as log_tsv() reads them. */
export function textTokens(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  for (const match of text.matchAll(WORD_RUN)) {
    const run = pgLower(match[0]);
    const number = LEADING_EXPONENT_NUMBER.exec(run);
    const parts = number ? [number[0], run.slice(number[0].length)] : [run];
    let start = match.index;
    for (const lexeme of parts) {
      if (Buffer.byteLength(lexeme) <= MAX_WORD_BYTES)
        tokens.push({ lexeme, start, end: start + lexeme.length });
      start += lexeme.length;
    }
  }
  return tokens;
}

/** The lexemes of a text in order (how query words are normalised). */
export function lexemes(text: string): string[] {
  return textTokens(text).map((token) => token.lexeme);
}

/** What log_tsv(text) holds: each lexeme with the positions PostgreSQL keeps for it. */
export function indexedLexemes(text: string): Lexemes {
  const index: Lexemes = new Map();
  textTokens(text).forEach((token, i) => {
    const position = Math.min(i + 1, MAX_POSITION);
    let positions = index.get(token.lexeme);
    if (!positions) index.set(token.lexeme, (positions = []));
    const last = positions[positions.length - 1];
    if (positions.length < MAX_POSITIONS_PER_WORD && last !== MAX_POSITION && last !== position)
      positions.push(position);
  });
  return index;
}

/**
 * Whether the lexemes hold these tokens at consecutive positions, as `a <-> b <-> c` matches; with
 * `prefix`, the last token matches every lexeme that starts with it (`c:*`).
 */
export function hasSequence(index: Lexemes, tokens: string[], prefix: boolean): boolean {
  const positions = tokens.map((token, i) => {
    if (!prefix || i < tokens.length - 1) return index.get(token) ?? [];
    return [...index].flatMap(([lexeme, at]) => (lexeme.startsWith(token) ? at : []));
  });
  if (positions.some((at) => at.length === 0)) return false;
  const sets = positions.map((at) => new Set(at));
  return positions[0].some((first) => sets.every((set, i) => set.has(first + i)));
}
