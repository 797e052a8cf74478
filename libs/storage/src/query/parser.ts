import type { QueryNode } from './ast';
import { FIELD_NAMES, resolveField } from './fields';
import { QuerySyntaxError } from './query-syntax-error';
import {
  comparisonTerm,
  expectedNumber,
  fieldTerm,
  freeTerm,
  isComparable,
  rangeTerm,
  type Comparable,
  type ComparisonOperator,
  type FieldRef,
  type ScannedValue,
} from './terms';

export const MAX_QUERY_LENGTH = 2000;
export const MAX_TERMS = 100;
/** Parentheses and negations, counted together. */
export const MAX_NESTING = 20;

// `name:` where the name has no escapes, spaces, quotes or parentheses and starts with a letter;
// anything else with a colon (`12:30`) is a plain word.
const FIELD_PREFIX = /([A-Za-z][^\s:()"\\]*):/y;
const SPACE = /\s/;

/**
 * Parses a query; null when it is empty. Precedence: NOT (and `-`) > AND (also implicit between
 * terms) > OR. Throws QuerySyntaxError with the position and what was expected there.
 */
export function parseQuery(text: string): QueryNode | null {
  if (text.length > MAX_QUERY_LENGTH) {
    const expected = `a query of at most ${MAX_QUERY_LENGTH} characters`;
    throw new QuerySyntaxError(MAX_QUERY_LENGTH, expected, `${text.length} characters`);
  }
  return new Parser(text).parse();
}

/** The field that terms without a name apply to, inside `field:( … )`; null means free text. */
type Context = FieldRef | null;

class Parser {
  private pos = 0;
  private terms = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parse(): QueryNode | null {
    this.skipSpace();
    if (this.atEnd()) return null;
    const node = this.parseOr(null);
    // parseOr stops only at the end or at a `)` that opens nothing.
    if (!this.atEnd()) this.fail(this.pos, 'end of query');
    return node;
  }

  private parseOr(context: Context): QueryNode {
    const children = [this.parseAnd(context)];
    while (this.takeKeyword('OR')) children.push(this.parseAnd(context, '"OR"'));
    return combine('or', children);
  }

  private parseAnd(context: Context, after?: string): QueryNode {
    const children = [this.parseUnary(context, after)];
    for (;;) {
      if (this.takeKeyword('AND')) children.push(this.parseUnary(context, '"AND"'));
      else if (this.atTermStart()) children.push(this.parseUnary(context));
      else return combine('and', children);
    }
  }

  private parseUnary(context: Context, after?: string): QueryNode {
    this.skipSpace();
    const start = this.pos;
    const negation = this.takeKeyword('NOT') ? '"NOT"' : this.takeMinus() ? '"-"' : undefined;
    if (!negation) return this.parsePrimary(context, after);
    this.enter(start);
    const child = this.parseUnary(context, negation);
    this.depth--;
    return { type: 'not', child };
  }

  private parsePrimary(context: Context, after?: string): QueryNode {
    this.skipSpace();
    const start = this.pos;
    if (!this.atTermStart()) this.fail(start, after ? `a term after ${after}` : 'a term');
    if (this.text[start] === '(') return this.parseGroup(context);
    FIELD_PREFIX.lastIndex = start;
    const prefix = FIELD_PREFIX.exec(this.text);
    if (prefix) {
      const label = prefix[1];
      const target = resolveField(label);
      if (!target) this.fail(start, `a field name (${FIELD_NAMES})`, JSON.stringify(label));
      this.pos = start + prefix[0].length;
      return this.parseValue({ label, target }, start, `"${prefix[0]}"`);
    }
    if (context) return this.parseValue(context, start, `"${context.label}:"`);
    this.countTerm(start);
    return freeTerm(this.text[start] === '"' ? this.readQuoted() : this.readBare());
  }

  /** The value of `field:`, or a term inside `field:( … )`; the term starts at `termStart`. */
  private parseValue(field: FieldRef, termStart: number, after: string): QueryNode {
    const char = this.text[this.pos];
    if (char === undefined || SPACE.test(char) || char === ')')
      this.fail(this.pos, `a value after ${after}`);
    if (char === '(') return this.parseGroup(field);
    this.countTerm(termStart);
    if (char === '"') return fieldTerm(field, this.readQuoted());
    if (isComparable(field)) {
      if (char === '[' || char === '{') return this.parseRange(field);
      if (char === '<' || char === '>') return this.parseComparison(field);
    }
    return fieldTerm(field, this.readBare());
  }

  private parseGroup(context: Context): QueryNode {
    this.enter(this.pos);
    this.pos++;
    const node = this.parseOr(context);
    this.skipSpace();
    if (this.text[this.pos] !== ')') this.fail(this.pos, '")"');
    this.pos++;
    this.depth--;
    return node;
  }

  private parseComparison(field: FieldRef<Comparable>): QueryNode {
    const operator = /^[<>]=?/.exec(this.text.slice(this.pos, this.pos + 2))![0];
    this.pos += operator.length;
    const value = this.readBare();
    if (value.raw === '') this.fail(value.position, expectedNumber(field));
    return comparisonTerm(field, operator as ComparisonOperator, value);
  }

  private parseRange(field: FieldRef<Comparable>): QueryNode {
    const lowerInclusive = this.text[this.pos++] === '[';
    const lower = this.readBound(field);
    this.skipSpace();
    if (!/^TO(?=[\s\]}]|$)/.test(this.text.slice(this.pos, this.pos + 3)))
      this.fail(this.pos, '"TO"');
    this.pos += 2;
    const upper = this.readBound(field);
    this.skipSpace();
    const close = this.text[this.pos];
    if (close !== ']' && close !== '}') this.fail(this.pos, '"]" or "}"');
    this.pos++;
    return rangeTerm(field, lower, lowerInclusive, upper, close === ']');
  }

  /** A range end: a number, a level or `*`, up to a space or the closing bracket. */
  private readBound(field: FieldRef<Comparable>): ScannedValue {
    this.skipSpace();
    const position = this.pos;
    while (!this.atEnd() && !/[\s\]}()]/.test(this.text[this.pos])) this.pos++;
    const text = this.text.slice(position, this.pos);
    if (text === '') this.fail(position, `${expectedNumber(field)} or "*"`);
    return { text, wildcards: new Set(), quoted: false, position, raw: text };
  }

  /** An unquoted word or value, up to a space or parenthesis; `\` makes the next character literal. */
  private readBare(): ScannedValue {
    const position = this.pos;
    let text = '';
    const wildcards = new Set<number>();
    while (!this.atEnd()) {
      let char = this.text[this.pos];
      if (SPACE.test(char) || char === '(' || char === ')') break;
      if (char === '\\') char = this.escaped();
      else if (char === '*' || char === '?') wildcards.add(text.length);
      text += char;
      this.pos++;
    }
    return { text, wildcards, quoted: false, position, raw: this.text.slice(position, this.pos) };
  }

  /** `"…"`: everything up to the closing quote is literal; `\"` and `\\` inside. */
  private readQuoted(): ScannedValue {
    const position = this.pos++;
    let text = '';
    for (;;) {
      if (this.atEnd()) this.fail(this.pos, 'a closing quote (")');
      let char = this.text[this.pos];
      if (char === '"') break;
      if (char === '\\') char = this.escaped();
      text += char;
      this.pos++;
    }
    this.pos++;
    const raw = this.text.slice(position, this.pos);
    return { text, wildcards: new Set(), quoted: true, position, raw };
  }

  /** At a `\`: steps over it and returns the character it escapes. */
  private escaped(): string {
    this.pos++;
    if (this.atEnd()) this.fail(this.pos, 'a character after "\\"');
    return this.text[this.pos];
  }

  private countTerm(start: number): void {
    if (++this.terms > MAX_TERMS)
      this.fail(start, `at most ${MAX_TERMS} terms`, `term number ${this.terms}`);
  }

  private enter(start: number): void {
    if (++this.depth > MAX_NESTING)
      this.fail(start, `at most ${MAX_NESTING} levels of nesting`, `level ${this.depth}`);
  }

  /** A `-` that negates the term right after it (`-host:web1`); a lone `-` is a word. */
  private takeMinus(): boolean {
    const next = this.text[this.pos + 1];
    if (this.text[this.pos] !== '-' || next === undefined || SPACE.test(next) || next === ')')
      return false;
    this.pos++;
    return true;
  }

  /** Consumes AND, OR or NOT written as a word of its own (upper case only). */
  private takeKeyword(keyword: 'AND' | 'OR' | 'NOT'): boolean {
    this.skipSpace();
    if (!this.isKeyword(keyword)) return false;
    this.pos += keyword.length;
    return true;
  }

  private isKeyword(keyword: string): boolean {
    const after = this.text[this.pos + keyword.length];
    return (
      this.text.startsWith(keyword, this.pos) &&
      (after === undefined || SPACE.test(after) || after === '(' || after === ')' || after === '"')
    );
  }

  private atTermStart(): boolean {
    this.skipSpace();
    return (
      !this.atEnd() &&
      this.text[this.pos] !== ')' &&
      !this.isKeyword('AND') &&
      !this.isKeyword('OR')
    );
  }

  private skipSpace(): void {
    while (!this.atEnd() && SPACE.test(this.text[this.pos])) this.pos++;
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private fail(position: number, expected: string, found = this.describe(position)): never {
    throw new QuerySyntaxError(position, expected, found);
  }

  /** What is at a position, for error messages. */
  private describe(position: number): string {
    const char = this.text[position];
    if (char === undefined) return 'end of query';
    if (SPACE.test(char)) return 'a space';
    const word = /^[^\s()]*/.exec(this.text.slice(position, position + 40))![0];
    return JSON.stringify(word || char);
  }
}

/** One child stands alone; nested and/or of the same kind are flattened. */
function combine(type: 'and' | 'or', children: QueryNode[]): QueryNode {
  if (children.length === 1) return children[0];
  return {
    type,
    children: children.flatMap((child) => (child.type === type ? child.children : [child])),
  };
}
