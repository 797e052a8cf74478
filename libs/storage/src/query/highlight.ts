import type { QueryNode } from './ast';
import { positiveTextTerms } from './full-text-terms';
import { likeOccurrences, likeSegments } from './like';
import { pgLower, textTokens, type TextToken } from './text-tokens';

/**
 * Where the query's words, phrases and message wildcards occur in `message` (not those under a
 * NOT): [start, end) offsets in the JavaScript string, sorted, overlapping ones merged. A word of
 * several tokens (`orders/42`) is one span from its first token to its last.
 */
export function highlightSpans(node: QueryNode | null, message: string): [number, number][] {
  const terms = node ? positiveTextTerms(node) : [];
  if (terms.length === 0) return [];
  let tokens: TextToken[] | undefined;
  let chars: { lower: string[]; offsets: number[] } | undefined;
  const spans: [number, number][] = [];
  for (const term of terms) {
    if (term.type === 'substring') {
      chars ??= codePoints(pgLower(message));
      const { offsets } = chars;
      for (const [start, end] of likeOccurrences(likeSegments(pgLower(term.pattern)), chars.lower))
        spans.push([offsets[start], offsets[end]]);
    } else {
      tokens ??= textTokens(message);
      const prefix = term.type === 'word' && term.prefix;
      spans.push(...sequenceSpans(tokens, term.tokens, prefix));
    }
  }
  return merge(spans);
}

function sequenceSpans(tokens: TextToken[], words: string[], prefix: boolean): [number, number][] {
  const spans: [number, number][] = [];
  const last = words.length - 1;
  for (let i = 0; i + last < tokens.length; i++) {
    const found = words.every((word, j) => {
      const lexeme = tokens[i + j].lexeme;
      return prefix && j === last ? lexeme.startsWith(word) : lexeme === word;
    });
    if (found) spans.push([tokens[i].start, tokens[i + last].end]);
  }
  return spans;
}

/** Code points, with the string offset of each (and of the end). */
function codePoints(text: string): { lower: string[]; offsets: number[] } {
  const lower = [...text];
  const offsets = [0];
  for (const char of lower) offsets.push(offsets[offsets.length - 1] + char.length);
  return { lower, offsets };
}

function merge(spans: [number, number][]): [number, number][] {
  const merged: [number, number][] = [];
  for (const [start, end] of spans.sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
    const previous = merged[merged.length - 1];
    if (previous && start <= previous[1]) previous[1] = Math.max(previous[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
