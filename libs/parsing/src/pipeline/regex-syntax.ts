/**
 * If `at` starts an escape (`\d`) or a character class (`[^a-z\]]`), the index just past it;
 * otherwise undefined. Lets the scanners treat both as opaque atoms, the way RE2 reads them.
 */
export function skipEscapeOrClass(source: string, at: number): number | undefined {
  if (source[at] === '\\') return at + 2;
  if (source[at] !== '[') return undefined;
  let i = at + 1;
  // A `]` right after `[` or `[^` is a literal, not the end of the class.
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  for (; i < source.length; i++) {
    if (source[i] === '\\') {
      i++;
    } else if (source[i] === '[' && source[i + 1] === ':') {
      const end = source.indexOf(':]', i + 2);
      if (end !== -1) i = end + 1;
    } else if (source[i] === ']') {
      return i + 1;
    }
  }
  return source.length; // unterminated: RE2 reports it
}
