import { GROK_PATTERNS } from './grok-library';
import { PatternError } from './pattern-error';
import { skipEscapeOrClass } from './regex-syntax';
import { findUnsupportedConstruct } from './unsupported-constructs';

export const MAX_PATTERN_LENGTH = 4096;
/** Guards against definitions that double at every level (`A` = `%{B}%{B}`, `B` = `%{C}%{C}`…). */
export const MAX_EXPANDED_LENGTH = 256 * 1024;

export type CaptureType = 'int' | 'float';

/** One named group of the expanded pattern and the field it fills. */
export interface CaptureSpec {
  /** RE2 group name: `g0`, `g1`…, since RE2 names cannot hold dots (`client.ip`). */
  group: string;
  field: string;
  type?: CaptureType;
}

export interface ExpandedPattern {
  /** RE2 syntax: grok references expanded, every plain group made non-capturing. */
  source: string;
  captures: CaptureSpec[];
}

const GROK_REFERENCE = /^%\{(\w+)(?::([^:}]*))?(?::([^:}]*))?\}/;
const NAMED_GROUP = /^\(\?P?<([^>=!][^>]*)>/;
const FIELD_NAME = /^[A-Za-z_@][\w.@-]*$/;
const LINEAR_TIME_NOTE = '(patterns run on RE2, which guarantees linear time)';

/**
 * Expands grok references (`%{NAME}`, `%{NAME:field}`, `%{NAME:field:int}`) recursively and
 * renames named groups to RE2-safe names. User text (the pattern and custom definitions) is
 * checked for constructs RE2 refuses first, so the error can say what and where; the built-in
 * library is reviewed and tested instead.
 */
export function expandGrok(
  source: string,
  customPatterns: Readonly<Record<string, string>> = {},
): ExpandedPattern {
  const captures: CaptureSpec[] = [];
  const expanded = expand(source, { where: '', stack: [], customPatterns, captures });
  return { source: expanded, captures };
}

interface Expansion {
  /** ` of %{NAME}` inside a definition, empty at the top level. */
  where: string;
  stack: string[];
  customPatterns: Readonly<Record<string, string>>;
  captures: CaptureSpec[];
}

function expand(source: string, state: Expansion): string {
  const userText = state.where === '' || state.stack.at(-1)! in state.customPatterns;
  if (userText) checkUserText(source, state.where);
  let out = '';
  for (let i = 0; i < source.length;) {
    const atomEnd = skipEscapeOrClass(source, i);
    if (atomEnd !== undefined) {
      out += source.slice(i, atomEnd);
      i = atomEnd;
    } else if (source.startsWith('%{', i)) {
      const reference = GROK_REFERENCE.exec(source.slice(i, i + 200));
      if (!reference) {
        throw new PatternError(
          `malformed grok reference "${source.slice(i, i + 30)}" at position ${i}${state.where} ` +
            '(expected %{NAME}, %{NAME:field} or %{NAME:field:int|float})',
        );
      }
      out += expandReference(reference, i, state);
      i += reference[0].length;
    } else if (source[i] === '(') {
      const named = NAMED_GROUP.exec(source.slice(i, i + 200));
      if (named) {
        out += `(?P<${addCapture(named[1], undefined, `"${named[0]}"`, i, state)}>`;
        i += named[0].length;
      } else {
        // Numbered groups serve nothing (backreferences are refused) and slow RE2 down.
        out += source[i + 1] === '?' ? '(?' : '(?:';
        i += source[i + 1] === '?' ? 2 : 1;
      }
    } else {
      out += source[i];
      i++;
    }
    if (out.length > MAX_EXPANDED_LENGTH) {
      throw new PatternError(`pattern expands to more than ${MAX_EXPANDED_LENGTH} characters`);
    }
  }
  return out;
}

function checkUserText(source: string, where: string): void {
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(
      `pattern${where} is ${source.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`,
    );
  }
  const unsupported = findUnsupportedConstruct(source);
  if (unsupported) {
    const { kind, construct, position } = unsupported;
    throw new PatternError(
      `${kind} "${construct}" at position ${position}${where} is not supported ${LINEAR_TIME_NOTE}`,
    );
  }
}

function expandReference(reference: RegExpExecArray, at: number, state: Expansion): string {
  const [text, name, field, type] = reference;
  const definition = state.customPatterns[name] ?? GROK_PATTERNS[name];
  if (definition === undefined) {
    throw new PatternError(`unknown pattern "%{${name}}" at position ${at}${state.where}`);
  }
  if (state.stack.includes(name)) {
    const cycle = [...state.stack.slice(state.stack.indexOf(name)), name].map((n) => `%{${n}}`);
    throw new PatternError(
      `pattern "${text}" at position ${at}${state.where} refers to itself: ${cycle.join(' → ')}`,
    );
  }
  if (type !== undefined && type !== 'int' && type !== 'float') {
    throw new PatternError(
      `unknown type "${type}" in "${text}" at position ${at}${state.where} (use int or float)`,
    );
  }
  const inner = expand(definition, {
    ...state,
    where: ` of %{${name}}`,
    stack: [...state.stack, name],
  });
  if (field === undefined) return `(?:${inner})`;
  return `(?P<${addCapture(field, type, `"${text}"`, at, state)}>${inner})`;
}

function addCapture(
  field: string,
  type: string | undefined,
  construct: string,
  at: number,
  state: Expansion,
): string {
  if (!FIELD_NAME.test(field)) {
    throw new PatternError(
      `invalid field name "${field}" in ${construct} at position ${at}${state.where} ` +
        '(letters, digits, _, @, - and dots)',
    );
  }
  const group = `g${state.captures.length}`;
  state.captures.push({ group, field, type: type as CaptureType | undefined });
  return group;
}
