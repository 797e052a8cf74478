import type { Bound, JsonField, NumberField, QueryNode } from './ast';
import type { FieldTarget } from './fields';
import { LEVEL_EXPECTED, levelsBetween, levelsMatching, parseLevel } from './levels';
import { likeEscape } from './like';
import { QuerySyntaxError } from './query-syntax-error';
import { lexemes, textTokens } from './text-tokens';

/** A value as the query wrote it, with escapes resolved. */
export interface ScannedValue {
  text: string;
  /** Offsets in `text` of the unescaped `*` and `?` (quoted values have none). */
  wildcards: ReadonlySet<number>;
  quoted: boolean;
  /** Where the value starts in the query and how it is written there, for errors. */
  position: number;
  raw: string;
}

/** A field named in the query, with its name as typed (for errors). */
export interface FieldRef<T extends FieldTarget = FieldTarget> {
  label: string;
  target: T;
}

/** Fields that take comparisons and ranges. */
export type Comparable = 'level' | NumberField | JsonField;

export type ComparisonOperator = '<' | '<=' | '>' | '>=';

export function isComparable(field: FieldRef): field is FieldRef<Comparable> {
  return field.target === 'level' || (field.target !== 'message' && field.target.kind !== 'text');
}

/** What a comparison or a range end on this field must be. */
export function expectedNumber(field: FieldRef<Comparable>): string {
  return field.target === 'level' ? LEVEL_EXPECTED : numberExpected(field.label, field.target);
}

function numberExpected(label: string, target: NumberField | JsonField): string {
  return isInteger(target) ? `an integer for ${label}` : `a number for ${label}`;
}

// status_code is a smallint: a fraction could never match and is most likely a typo.
function isInteger(target: NumberField | JsonField): boolean {
  return target.kind === 'number' && target.column === 'status_code';
}

/** A term without a field (or on `message`): full text on the message. */
export function freeTerm(value: ScannedValue): QueryNode {
  const { text, wildcards } = value;
  if (wildcards.size > 0) {
    const stem = text.slice(0, -1);
    const tokens = textTokens(stem);
    // One `*` right after a letter or digit (`time*`) is a prefix search the text index can serve.
    if (wildcards.size === 1 && isStar(value, stem.length) && tokens.at(-1)?.end === stem.length)
      return { type: 'word', tokens: tokens.map((token) => token.lexeme), prefix: true };
    const pattern = likePattern(value);
    const start = isStar(value, 0) ? '' : '%';
    const end = isStar(value, text.length - 1) ? '' : '%';
    return { type: 'substring', pattern: `${start}${pattern}${end}` };
  }
  const tokens = lexemes(text);
  // Nothing for the text index to look up (`->`, `"=>"`): search the characters instead.
  if (tokens.length === 0) return { type: 'substring', pattern: `%${likeEscape(text)}%` };
  return value.quoted ? { type: 'phrase', tokens } : { type: 'word', tokens, prefix: false };
}

/** `field:value`: equality, wildcards or `*` (has a value). */
export function fieldTerm(field: FieldRef, value: ScannedValue): QueryNode {
  const { target } = field;
  if (target === 'message') return freeTerm(value);
  if (target === 'level') {
    if (value.wildcards.size > 0)
      return { type: 'level', levels: levelsMatching(likePattern(value)) };
    return { type: 'level', levels: [levelOf(value)] };
  }
  if (value.wildcards.size > 0 && value.text === '*') return { type: 'exists', field: target };
  if (target.kind === 'number') {
    const bound = { value: numberOf(field.label, target, value), inclusive: true };
    return { type: 'range', field: target, lower: bound, upper: bound };
  }
  if (value.wildcards.size > 0) return { type: 'like', field: target, pattern: likePattern(value) };
  return { type: 'equals', field: target, value: value.text };
}

/** `field:>=value` and the like; on `level`, greater means more severe. */
export function comparisonTerm(
  field: FieldRef<Comparable>,
  operator: ComparisonOperator,
  value: ScannedValue,
): QueryNode {
  const { label, target } = field;
  const inclusive = operator.length === 2;
  const greater = operator[0] === '>';
  if (target === 'level') {
    const end = { level: levelOf(value), inclusive };
    return { type: 'level', levels: greater ? levelsBetween(end, null) : levelsBetween(null, end) };
  }
  const bound = { value: numberOf(label, target, value), inclusive };
  return {
    type: 'range',
    field: target,
    lower: greater ? bound : null,
    upper: greater ? null : bound,
  };
}

/** `field:[lower TO upper]` (`[ ]` inclusive, `{ }` exclusive ends, `*` open). */
export function rangeTerm(
  field: FieldRef<Comparable>,
  lower: ScannedValue,
  lowerInclusive: boolean,
  upper: ScannedValue,
  upperInclusive: boolean,
): QueryNode {
  const { label, target } = field;
  if (target === 'level') {
    const end = (value: ScannedValue, inclusive: boolean) =>
      value.text === '*' ? null : { level: levelOf(value), inclusive };
    return {
      type: 'level',
      levels: levelsBetween(end(lower, lowerInclusive), end(upper, upperInclusive)),
    };
  }
  const bound = (value: ScannedValue, inclusive: boolean): Bound | null =>
    value.text === '*' ? null : { value: numberOf(label, target, value), inclusive };
  return {
    type: 'range',
    field: target,
    lower: bound(lower, lowerInclusive),
    upper: bound(upper, upperInclusive),
  };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function numberOf(label: string, target: NumberField | JsonField, value: ScannedValue): number {
  const number = Number(value.text);
  const valid = NUMBER.test(value.text) && Number.isFinite(number);
  if (!valid || (isInteger(target) && !Number.isSafeInteger(number)))
    throw invalid(value, numberExpected(label, target));
  return number;
}

function levelOf(value: ScannedValue): number {
  const level = parseLevel(value.text);
  if (level === undefined) throw invalid(value, LEVEL_EXPECTED);
  return level;
}

/** The value as a LIKE pattern: unescaped `*` → `%`, `?` → `_`, everything else literal. */
function likePattern(value: ScannedValue): string {
  let pattern = '';
  for (let i = 0; i < value.text.length; i++) {
    const char = value.text[i];
    pattern += value.wildcards.has(i) ? (char === '*' ? '%' : '_') : likeEscape(char);
  }
  return pattern;
}

function isStar(value: ScannedValue, offset: number): boolean {
  return value.wildcards.has(offset) && value.text[offset] === '*';
}

function invalid(value: ScannedValue, expected: string): QuerySyntaxError {
  return new QuerySyntaxError(value.position, expected, JSON.stringify(value.raw));
}
