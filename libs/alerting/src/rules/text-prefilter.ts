// A cheap necessary condition for a query's full-text words: the message, lower-cased, contains
// each word's tokens as plain substrings. Rejects most lines of a full-text rule before the exact
// matcher splits the message into words (several times slower). Pure.
import type { QueryNode } from '@app/storage';

/** Tests the message lowered by prefilterLower(); true means "may match". */
export type TextPrefilter = (lowerMessage: string) => boolean;

/**
 * The message in lower case for the prefilter. As PostgreSQL's lower() (which the exact matcher
 * follows), `İ` becomes `i`; JavaScript would make it `i` plus a combining dot, splitting a word.
 * No other character lower-cases to more than one in JavaScript.
 */
export function prefilterLower(message: string): string {
  return (message.includes('İ') ? message.replace(/İ/g, 'i') : message).toLowerCase();
}

/**
 * The prefilter of a query, or null when it has none worth running (no full-text word on every
 * path to a match). Only ASCII tokens are used: every ASCII character of PostgreSQL's lower() of a
 * message is at the same place in prefilterLower() of it, so a missing substring proves the word
 * is missing. Other tokens (final sigma differs), NOT, fields and wildcards pass.
 */
export function textPrefilter(node: QueryNode | null): TextPrefilter | null {
  if (node === null) return null;
  switch (node.type) {
    case 'word':
    case 'phrase': {
      const tokens = node.tokens.filter((token) => token !== '' && isAscii(token));
      if (tokens.length === 0) return null;
      return (lower) => tokens.every((token) => lower.includes(token));
    }
    case 'and': {
      const parts = node.children.map(textPrefilter).filter((part) => part !== null);
      if (parts.length === 0) return null;
      return (lower) => parts.every((part) => part(lower));
    }
    case 'or': {
      const parts = node.children.map(textPrefilter);
      // One branch without a prefilter can match anything.
      if (parts.some((part) => part === null)) return null;
      return (lower) => parts.some((part) => (part as TextPrefilter)(lower));
    }
    default:
      return null;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
