import type { QueryNode } from './ast';

/** A term searched in the message text. */
export type TextTerm = Extract<QueryNode, { type: 'word' | 'phrase' | 'substring' }>;

/** The message terms of a query that are not under a NOT (whatever branch of an OR they are in). */
export function positiveTextTerms(node: QueryNode): TextTerm[] {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.flatMap(positiveTextTerms);
    case 'word':
    case 'phrase':
    case 'substring':
      return [node];
    default:
      return [];
  }
}

/**
 * The full-text words and phrases of a query, not under a NOT, as lower-case tokens: what the text
 * index will look up. A word of one token is a word; `orders/42` and `"disk full"` are phrases.
 * Prefix words (`time*`) and substring searches are left out: they are not single index entries.
 */
export function fullTextTerms(node: QueryNode | null): { words: string[]; phrases: string[][] } {
  const words: string[] = [];
  const phrases: string[][] = [];
  for (const term of node ? positiveTextTerms(node) : []) {
    if (term.type === 'substring' || (term.type === 'word' && term.prefix)) continue;
    if (term.tokens.length === 1) words.push(term.tokens[0]);
    else phrases.push(term.tokens);
  }
  return { words, phrases };
}
