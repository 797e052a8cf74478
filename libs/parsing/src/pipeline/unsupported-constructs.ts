import { skipEscapeOrClass } from './regex-syntax';

/** A construct RE2 refuses, found in a pattern before RE2 sees it (0-based position). */
export interface UnsupportedConstruct {
  kind: string;
  construct: string;
  position: number;
}

/** Group openings RE2 has no engine for, longest first so `(?<=` wins over `(?<`. */
const UNSUPPORTED_GROUPS: readonly (readonly [string, string])[] = [
  ['(?<=', 'lookbehind'],
  ['(?<!', 'negative lookbehind'],
  ['(?=', 'lookahead'],
  ['(?!', 'negative lookahead'],
  ['(?>', 'atomic group'],
  ['(?|', 'branch reset group'],
  ['(?(', 'conditional group'],
  ['(?#', 'comment group'],
];

/** Groups whose construct runs to the closing parenthesis, e.g. `(?1)`, `(?&name)`, `(*SKIP)`. */
const UNSUPPORTED_CALLS: readonly (readonly [RegExp, string])[] = [
  [/^\(\?(?:R|[+-]?\d+)\)/, 'recursion'],
  [/^\(\?(?:&|P>)\w+\)/, 'subroutine call'],
  [/^\(\?P=\w+\)/, 'named backreference'],
  [/^\(\*[A-Z_]*(?::[^)]*)?\)/, 'backtracking control verb'],
];

const UNSUPPORTED_ESCAPES: Readonly<Record<string, string>> = {
  K: 'match reset',
  G: 'anchor',
  Z: 'anchor',
};

const REPETITION = /^\{\d+(?:,\d*)?\}/;

/**
 * The first construct of `source` that RE2 cannot run (backreferences, lookarounds, atomic groups,
 * possessive quantifiers, recursion…), so the error can name it and its place; RE2's own message
 * says neither. Escapes and character classes are skipped as RE2 reads them.
 */
export function findUnsupportedConstruct(source: string): UnsupportedConstruct | undefined {
  for (let i = 0; i < source.length;) {
    if (source[i] === '\\') {
      const found = unsupportedEscape(source, i);
      if (found) return found;
    }
    const atomEnd = skipEscapeOrClass(source, i);
    if (atomEnd !== undefined) {
      i = atomEnd;
      continue;
    }
    if (source[i] === '(') {
      const found = unsupportedGroup(source, i);
      if (found) return found;
      i += source[i + 1] === '?' ? 2 : 1; // that `?` opens a group; it is not a quantifier
      continue;
    }
    const end = quantifierEnd(source, i);
    if (end !== undefined && source[end + 1] === '+') {
      return { kind: 'possessive quantifier', construct: source.slice(i, end + 2), position: i };
    }
    i = (end ?? i) + 1;
  }
  return undefined;
}

function unsupportedEscape(source: string, at: number): UnsupportedConstruct | undefined {
  const next = source[at + 1] ?? '';
  if (/[1-9]/.test(next)) {
    const digits = /^\d+/.exec(source.slice(at + 1))![0];
    return { kind: 'backreference', construct: `\\${digits}`, position: at };
  }
  if (next === 'k' || next === 'g') {
    const reference = /^\\[kg](?:<[^>]*>|\{[^}]*\}|'[^']*'|[+-]?\d+)?/.exec(source.slice(at))![0];
    return {
      kind: next === 'k' ? 'named backreference' : 'backreference',
      construct: reference,
      position: at,
    };
  }
  const kind = UNSUPPORTED_ESCAPES[next];
  return kind ? { kind, construct: `\\${next}`, position: at } : undefined;
}

function unsupportedGroup(source: string, at: number): UnsupportedConstruct | undefined {
  for (const [opening, kind] of UNSUPPORTED_GROUPS) {
    if (source.startsWith(opening, at)) return { kind, construct: opening, position: at };
  }
  const rest = source.slice(at, at + 80);
  for (const [shape, kind] of UNSUPPORTED_CALLS) {
    const match = shape.exec(rest);
    if (match) return { kind, construct: match[0], position: at };
  }
  return undefined;
}

/** Where a quantifier starting at `at` ends (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`). */
function quantifierEnd(source: string, at: number): number | undefined {
  const ch = source[at];
  if (ch === '*' || ch === '+' || ch === '?') return at;
  if (ch !== '{') return undefined;
  const repetition = REPETITION.exec(source.slice(at, at + 24));
  return repetition ? at + repetition[0].length - 1 : undefined;
}
