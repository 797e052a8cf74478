/*
 * SQL LIKE patterns: built from query values, and matched in memory the way PostgreSQL matches them.
 * Matching works segment by segment (the parts between `%`), taking each middle segment at its
 * leftmost place, which is exact for LIKE and needs no backtracking regular expression.
 */

/** One character of a segment: a literal code point, or null for `_` (any one character). */
type LikeChar = string | null;
/** A LIKE pattern cut at `%`: the first part is anchored at the start, the last at the end. */
export type LikeSegments = LikeChar[][];

/** Escapes LIKE's special characters so text matches literally (`\` is LIKE's default escape). */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

export function likeSegments(pattern: string): LikeSegments {
  const segments: LikeSegments = [[]];
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (char === '%') segments.push([]);
    else
      segments[segments.length - 1].push(char === '_' ? null : char === '\\' ? chars[++i] : char);
  }
  return segments;
}

/** Whether a whole text, given as code points, matches the pattern. */
export function likeMatches(segments: LikeSegments, chars: string[]): boolean {
  const first = segments[0];
  if (segments.length === 1) return chars.length === first.length && isAt(chars, 0, first);
  const last = segments[segments.length - 1];
  const end = chars.length - last.length;
  if (end < first.length || !isAt(chars, 0, first) || !isAt(chars, end, last)) return false;
  let from = first.length;
  for (const segment of segments.slice(1, -1)) {
    const at = find(chars, segment, from, end);
    if (at < 0) return false;
    from = at + segment.length;
  }
  return true;
}

/**
 * Where a `%…%` pattern occurs in a text (code point offsets, [start, end)): the leftmost match,
 * then the next one after it, and so on. A pattern of only `%` occurs nowhere.
 */
export function likeOccurrences(segments: LikeSegments, chars: string[]): [number, number][] {
  const parts = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const spans: [number, number][] = [];
  if (parts.length === 0) return spans;
  for (let from = 0; ;) {
    let start = -1;
    for (const part of parts) {
      const at = find(chars, part, from, chars.length);
      if (at < 0) return spans;
      if (start < 0) start = at;
      from = at + part.length;
    }
    spans.push([start, from]);
  }
}

function isAt(chars: string[], at: number, segment: LikeChar[]): boolean {
  return segment.every((char, i) => char === null || char === chars[at + i]);
}

/** The first offset in [from, end - segment length] where the segment matches, or -1. */
function find(chars: string[], segment: LikeChar[], from: number, end: number): number {
  for (let at = from; at + segment.length <= end; at++) if (isAt(chars, at, segment)) return at;
  return -1;
}
