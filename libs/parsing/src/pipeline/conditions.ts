import { levelFromValue } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { type FieldRef, getField, resolveField } from './field-access';
import { compilePattern, type PatternOptions } from './pattern-engine';
import { atPath, PipelineError } from './pipeline-error';

export type Predicate = (parsed: ParsedLog) => boolean;

const OPERATORS = ['equals', 'in', 'matches', 'exists', 'gte', 'lte'] as const;
const OPERATOR_LIST = 'equals, in, matches, exists or gte/lte';

/** The `when` of a step: absent means always. */
export function compileWhen(
  when: unknown,
  path: string,
  customPatterns?: Readonly<Record<string, string>>,
): Predicate {
  return when === undefined ? () => true : compileCondition(when, path, { customPatterns });
}

/**
 * Compiles a condition into a predicate, checking it all up front (`path` names it in errors).
 * On a list field (`tags`) equals/in/matches hold when any element does. Values compare as text
 * where types differ (`status` 500 equals "500"); on `level` they are read as levels first.
 */
export function compileCondition(
  condition: unknown,
  path: string,
  patternOptions: PatternOptions,
): Predicate {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    throw new PipelineError(path, 'a condition must be an object');
  }
  const c = condition as Record<string, unknown>;
  const compileList = (key: 'all' | 'any'): Predicate[] => {
    if (!Array.isArray(c[key])) throw new PipelineError(`${path}.${key}`, 'must be a list');
    return (c[key] as unknown[]).map((item, i) =>
      compileCondition(item, `${path}.${key}[${i}]`, patternOptions),
    );
  };
  if ('all' in c) {
    const all = compileList('all');
    return (parsed) => all.every((predicate) => predicate(parsed));
  }
  if ('any' in c) {
    const any = compileList('any');
    return (parsed) => any.some((predicate) => predicate(parsed));
  }
  if ('not' in c) {
    const inner = compileCondition(c.not, `${path}.not`, patternOptions);
    return (parsed) => !inner(parsed);
  }
  return compileFieldTest(c, path, patternOptions);
}

function compileFieldTest(
  c: Record<string, unknown>,
  path: string,
  patternOptions: PatternOptions,
): Predicate {
  const ref = resolveField(c.field, `${path}.field`);
  const unknown = Object.keys(c).filter(
    (key) => key !== 'field' && !(OPERATORS as readonly string[]).includes(key),
  );
  const operators = new Set(
    OPERATORS.filter((key) => key in c).map((key) => (key === 'lte' ? 'gte' : key)),
  );
  if (unknown.length > 0 || operators.size !== 1) {
    const found = unknown.length > 0 ? `; found ${unknown.join(', ')}` : '';
    throw new PipelineError(path, `use one of ${OPERATOR_LIST}${found}`);
  }
  const isLevel = 'column' in ref && ref.column === 'level';
  const expected = (value: unknown, at: string): unknown => {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new PipelineError(at, 'must be a string, number or boolean');
    }
    if (!isLevel) return value;
    const level = levelFromValue(value);
    if (level === undefined) throw new PipelineError(at, `${JSON.stringify(value)} is not a level`);
    return level;
  };

  if ('equals' in c) {
    const wanted = expected(c.equals, `${path}.equals`);
    return anyValue(ref, (value) => same(value, wanted));
  }
  if ('in' in c) {
    if (!Array.isArray(c.in)) throw new PipelineError(`${path}.in`, 'must be a list');
    const wanted = c.in.map((value, i) => expected(value, `${path}.in[${i}]`));
    return anyValue(ref, (value) => wanted.some((w) => same(value, w)));
  }
  if ('matches' in c) {
    if (typeof c.matches !== 'string') throw new PipelineError(`${path}.matches`, 'must be text');
    const source = c.matches;
    const pattern = atPath(`${path}.matches`, () => compilePattern(source, patternOptions));
    return anyValue(ref, (value) => isScalar(value) && pattern.match(String(value)) !== undefined);
  }
  if ('exists' in c) {
    if (typeof c.exists !== 'boolean')
      throw new PipelineError(`${path}.exists`, 'must be true or false');
    const wanted = c.exists;
    return (parsed) => {
      const value = getField(parsed, ref);
      return (value !== undefined && value !== null) === wanted;
    };
  }
  return compileRange(c, ref, path);
}

function compileRange(c: Record<string, unknown>, ref: FieldRef, path: string): Predicate {
  for (const key of ['gte', 'lte'] as const) {
    if (key in c && (typeof c[key] !== 'number' || !Number.isFinite(c[key]))) {
      throw new PipelineError(`${path}.${key}`, 'must be a number');
    }
  }
  const gte = (c.gte as number | undefined) ?? -Infinity;
  const lte = (c.lte as number | undefined) ?? Infinity;
  return (parsed) => {
    const value = toNumber(getField(parsed, ref));
    return value !== undefined && value >= gte && value <= lte;
  };
}

function anyValue(ref: FieldRef, test: (value: unknown) => boolean): Predicate {
  return (parsed) => {
    const value = getField(parsed, ref);
    return Array.isArray(value) ? value.some(test) : test(value);
  };
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function same(value: unknown, wanted: unknown): boolean {
  return value === wanted || (isScalar(value) && String(value) === String(wanted));
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
