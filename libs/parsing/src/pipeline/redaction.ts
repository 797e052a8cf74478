import type { ParsedLog } from '../parsed-log';
import { type FieldRef, getField, resolveField } from './field-access';
import { atPath, PipelineError } from './pipeline-error';
import type { PipelineStep, RedactionDetector } from './pipeline.types';
import {
  DEFAULT_DETECTORS,
  DEFAULT_REPLACEMENT,
  DETECTORS,
  type RedactionRule,
  searchRegex,
} from './redaction-detectors';

type RedactStep = Extract<PipelineStep, { type: 'redact' }>;

export interface Redactor {
  /** Redacts the log in place; returns how many secrets were replaced. */
  redactLog(parsed: ParsedLog): number;
  redactText(text: string): { text: string; count: number };
}

const TEXT_COLUMNS = new Set(['message', 'host', 'method', 'path']);

/**
 * Compiles a redact step. Without `detectors` the default set runs (all but `ip`); `patterns`
 * add to it. Without `fields`, the message, the path and every text value in `fields` (and in
 * lists) are redacted.
 */
export function compileRedactor(
  step: RedactStep,
  path: string,
  customPatterns?: Readonly<Record<string, string>>,
): Redactor {
  const replacement = step.replacement ?? DEFAULT_REPLACEMENT;
  if (typeof replacement !== 'string') {
    throw new PipelineError(`${path}.replacement`, 'must be text');
  }
  const rules = [
    ...listAt(step.detectors ?? DEFAULT_DETECTORS, `${path}.detectors`).flatMap((name, i) => {
      if (typeof name !== 'string' || !Object.hasOwn(DETECTORS, name)) {
        throw new PipelineError(
          `${path}.detectors[${i}]`,
          `unknown detector ${JSON.stringify(name)} (use ${Object.keys(DETECTORS).join(', ')})`,
        );
      }
      return DETECTORS[name as RedactionDetector]();
    }),
    ...listAt(step.patterns ?? [], `${path}.patterns`).map((source, i) =>
      patternRule(source, `${path}.patterns[${i}]`, customPatterns),
    ),
  ];
  const targets =
    step.fields === undefined
      ? undefined
      : listAt(step.fields, `${path}.fields`).map((name, i) =>
          textField(name, `${path}.fields[${i}]`),
        );

  const redactText = (text: string) => {
    let count = 0;
    for (const rule of rules) {
      const result = applyRule(rule, text, replacement);
      text = result.text;
      count += result.count;
    }
    return { text, count };
  };
  const redactValue = (value: unknown): { value: unknown; count: number } => {
    if (typeof value === 'string') {
      const { text, count } = redactText(value);
      return { value: text, count };
    }
    if (!Array.isArray(value)) return { value, count: 0 };
    let count = 0;
    const items = value.map((item) => {
      const result = redactValue(item);
      count += result.count;
      return result.value;
    });
    return { value: count > 0 ? items : value, count };
  };

  return {
    redactText,
    redactLog(parsed) {
      let count = 0;
      const refs: FieldRef[] = targets ?? [
        { column: 'message' },
        { column: 'path' },
        ...Object.keys(parsed.fields).map((key) => ({ key })),
      ];
      for (const ref of refs) {
        const result = redactValue(getField(parsed, ref));
        if (result.count === 0) continue;
        count += result.count;
        if ('column' in ref)
          (parsed as unknown as Record<string, unknown>)[ref.column] = result.value;
        else parsed.fields[ref.key] = result.value;
      }
      return count;
    },
  };
}

function listAt<T>(value: readonly T[], path: string): readonly T[] {
  if (!Array.isArray(value)) throw new PipelineError(path, 'must be a list');
  return value;
}

function textField(name: unknown, path: string): FieldRef {
  const ref = resolveField(name, path);
  if ('column' in ref && !TEXT_COLUMNS.has(ref.column)) {
    throw new PipelineError(path, `"${String(name)}" is not text and cannot be redacted`);
  }
  return ref;
}

function patternRule(
  source: unknown,
  path: string,
  customPatterns?: Readonly<Record<string, string>>,
): RedactionRule {
  if (typeof source !== 'string' || source === '') {
    throw new PipelineError(path, 'must be a non-empty pattern');
  }
  const regex = atPath(path, () => searchRegex(source, customPatterns));
  return { regex, replace: (_secret, replacement) => replacement };
}

/** Replaces every secret the rule finds, left to right; overlapping groups are merged. */
function applyRule(
  rule: RedactionRule,
  text: string,
  replacement: string,
): { text: string; count: number } {
  const { regex } = rule;
  if (rule.mayMatch && !rule.mayMatch(text)) return { text, count: 0 };
  regex.lastIndex = 0;
  let out = '';
  let done = 0;
  let count = 0;
  for (let match = regex.exec(text); match; match = regex.exec(text)) {
    if (match[0] === '') {
      regex.lastIndex++; // an empty match would be found again at the same place
      continue;
    }
    for (const [start, end] of secretRanges(match)) {
      if (start < done) continue;
      const secret = text.slice(start, end);
      const replaced = rule.replace(secret, replacement, text, start);
      if (replaced === undefined || replaced === secret) continue;
      out += text.slice(done, start) + replaced;
      done = end;
      count++;
    }
  }
  return { text: count > 0 ? out + text.slice(done) : text, count };
}

function secretRanges(match: RegExpExecArray): [number, number][] {
  const groups = Object.values(match.indices?.groups ?? {}).filter(
    (range): range is [number, number] => range !== undefined && range[1] > range[0],
  );
  if (groups.length === 0) {
    return match.indices?.groups ? [] : [[match.index, match.index + match[0].length]];
  }
  groups.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of groups) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
