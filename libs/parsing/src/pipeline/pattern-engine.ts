import RE2 from 're2';
import { type CaptureSpec, type ExpandedPattern, expandGrok } from './grok-expander';
import { PatternError } from './pattern-error';

/** Matches the `MAX_LINE_LENGTH` default: lines are cut upstream; this only guards direct use. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export interface PatternOptions {
  /** Extra named patterns for `%{NAME}`; they override built-ins of the same name. */
  customPatterns?: Readonly<Record<string, string>>;
  /** Text beyond this many characters is not looked at. */
  maxLineLength?: number;
}

export interface CompiledPattern {
  /** The fields the pattern can fill, in order of appearance. */
  readonly fields: readonly string[];
  /** The captured fields (typed ones converted), or undefined when the text does not match. */
  match(text: string): Record<string, unknown> | undefined;
}

/**
 * Compiles a user-supplied grok/regex pattern for RE2. RE2 matches in time linear in the text, so
 * no pattern can stall a worker and no per-line time budget is needed; the cost is that
 * backreferences and lookarounds are refused, with a `PatternError` naming them.
 * Unanchored, as grok is: add `^`/`$` to anchor.
 */
export function compilePattern(source: string, options: PatternOptions = {}): CompiledPattern {
  const expanded = expandGrok(source, options.customPatterns);
  const regex = newRe2(expanded);
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const fields = [...new Set(expanded.captures.map((capture) => capture.field))];
  return {
    fields,
    match(text) {
      const found = regex.exec(text.length > maxLineLength ? text.slice(0, maxLineLength) : text);
      return found ? collectCaptures(expanded.captures, found.groups) : undefined;
    },
  };
}

/** RE2 for an expanded pattern; RE2's own refusals become `PatternError`s. */
export function newRe2(expanded: ExpandedPattern, flags = ''): RE2 {
  try {
    return new RE2(expanded.source, flags);
  } catch (error) {
    throw new PatternError(`RE2 rejected the pattern: ${(error as Error).message}`);
  }
}

/** A field named twice (in alternatives, say) takes the first group that matched. */
function collectCaptures(
  captures: readonly CaptureSpec[],
  groups: Record<string, string | undefined> | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { group, field, type } of captures) {
    const text = groups?.[group];
    if (text === undefined || field in values) continue;
    values[field] = type ? convert(text, type) : text;
  }
  return values;
}

const NUMERIC = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** `int` truncates (`"12.7"` → 12, as grok does); text that is not a number stays text. */
function convert(text: string, type: 'int' | 'float'): number | string {
  if (!NUMERIC.test(text)) return text;
  const number = Number(text);
  return type === 'int' ? Math.trunc(number) : number;
}
