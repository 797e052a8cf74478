import { DEFAULT_LEVEL, levelFromText } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { leadingTimestamp } from '../timestamps';
import type { PipelineContext, StepOutcome } from './pipeline.types';

/** One line on its way through the steps. */
export interface RunState {
  readonly line: string;
  readonly context: PipelineContext;
  parsed: ParsedLog;
  /** The raw line with redactions applied. */
  raw: string;
  /** Time and level still come from a guess at the raw text, so any parse may replace them. */
  guessed: { ts: boolean; level: boolean };
  /** The first parse that understood the line. */
  matched?: string;
  /** Why a parse of a source failed; a later parse of the same source that works clears it. */
  failedSources: Map<string, string>;
  /** Other problems for `parseError` (a captured timestamp that could not be read). */
  problems: string[];
  dropped: boolean;
}

export interface StepResult {
  outcome: StepOutcome;
  detail?: string;
}

export interface CompiledStep {
  run(state: RunState): StepResult;
}

export function startRun(line: string, context: PipelineContext): RunState {
  return {
    line,
    context,
    // What a line no parser understands looks like (the same as parseLine's text fallback).
    parsed: {
      ts: leadingTimestamp(line) ?? context.receivedAt,
      level: levelFromText(line) ?? DEFAULT_LEVEL,
      message: line,
      host: context.host ?? null,
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields: {},
      parseError: null,
    },
    raw: line,
    guessed: { ts: true, level: true },
    failedSources: new Map(),
    problems: [],
    dropped: false,
  };
}

export function finishedParseError(state: RunState): string | null {
  const problems = [...state.problems, ...state.failedSources.values()];
  return problems.length > 0 ? problems.join('; ') : null;
}
