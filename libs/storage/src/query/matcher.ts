import { LOG_LEVELS, type LogRecord } from '@app/contracts';
import type { Bound, Field, JsonField, NumberField, QueryNode, TextField } from './ast';
import { jsonbText } from './jsonb-text';
import { likeMatches, likeSegments } from './like';
import { hasSequence, indexedLexemes, pgLower, type Lexemes } from './text-tokens';

/** A record under test; the message's words and lower case are worked out once, when needed. */
class Line {
  private lexemes?: Lexemes;
  private lowerMessage?: string[];

  constructor(readonly record: LogRecord) {}

  get indexed(): Lexemes {
    return (this.lexemes ??= indexedLexemes(this.record.message));
  }

  /** The message in lower case, as code points. */
  get lowerChars(): string[] {
    return (this.lowerMessage ??= [...pgLower(this.record.message)]);
  }
}

type Test = (line: Line) => boolean;

/**
 * The query as a test on one record, with the semantics of compileQueryToSql: the same words
 * (text-tokens.ts), LIKE, `->>` text of JSON values, and a missing value failing every test but
 * its negation.
 */
export function compileQueryMatcher(node: QueryNode): (record: LogRecord) => boolean {
  const test = compile(node);
  return (record) => test(new Line(record));
}

function compile(node: QueryNode): Test {
  switch (node.type) {
    case 'and': {
      const tests = node.children.map(compile);
      return (line) => tests.every((test) => test(line));
    }
    case 'or': {
      const tests = node.children.map(compile);
      return (line) => tests.some((test) => test(line));
    }
    case 'not': {
      const test = compile(node.child);
      return (line) => !test(line);
    }
    case 'word':
    case 'phrase': {
      const prefix = node.type === 'word' && node.prefix;
      return (line) => hasSequence(line.indexed, node.tokens, prefix);
    }
    case 'substring': {
      const segments = likeSegments(pgLower(node.pattern));
      return (line) => likeMatches(segments, line.lowerChars);
    }
    case 'level': {
      const levels = new Set(node.levels);
      return ({ record }) => levels.has(LOG_LEVELS.indexOf(record.level));
    }
    case 'equals': {
      // method compares lower(method) = lower(value), the rest exactly.
      const fold = isMethod(node.field) ? pgLower : (text: string) => text;
      const value = fold(node.value);
      return ({ record }) => {
        const text = textOf(record, node.field);
        return text !== null && fold(text) === value;
      };
    }
    case 'like': {
      const fold = isMethod(node.field) ? pgLower : (text: string) => text;
      const segments = likeSegments(fold(node.pattern));
      return ({ record }) => {
        const text = textOf(record, node.field);
        return text !== null && likeMatches(segments, [...fold(text)]);
      };
    }
    case 'range':
      return ({ record }) => within(numberOf(record, node.field), node.lower, node.upper);
    case 'exists': {
      const { field } = node;
      const valueOf = (record: LogRecord) =>
        field.kind === 'number' ? numberOf(record, field) : textOf(record, field);
      return ({ record }) => valueOf(record) !== null;
    }
  }
}

function within(value: number | null, lower: Bound | null, upper: Bound | null): boolean {
  if (value === null) return false;
  if (lower && (lower.inclusive ? value < lower.value : value <= lower.value)) return false;
  if (upper && (upper.inclusive ? value > upper.value : value >= upper.value)) return false;
  return true;
}

const TEXT_COLUMNS: Record<TextField['column'], (record: LogRecord) => string | null> = {
  source: (record) => record.source,
  host: (record) => record.host,
  path: (record) => record.path,
  method: (record) => record.method,
};

const NUMBER_COLUMNS: Record<NumberField['column'], (record: LogRecord) => number | null> = {
  status_code: (record) => record.statusCode,
  latency_ms: (record) => record.latencyMs,
};

function textOf(record: LogRecord, field: TextField | JsonField): string | null {
  return field.kind === 'text'
    ? TEXT_COLUMNS[field.column](record)
    : jsonbText(jsonValue(record, field));
}

/** A number column, or a `fields` value only when it is a JSON number (as jsonb_typeof checks). */
function numberOf(record: LogRecord, field: NumberField | JsonField): number | null {
  if (field.kind === 'number') return NUMBER_COLUMNS[field.column](record);
  const value = jsonValue(record, field);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function jsonValue(record: LogRecord, field: JsonField): unknown {
  return Object.hasOwn(record.fields, field.key) ? record.fields[field.key] : undefined;
}

function isMethod(field: Field): boolean {
  return field.kind === 'text' && field.column === 'method';
}
