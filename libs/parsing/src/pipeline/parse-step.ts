import { DEFAULT_LEVEL, levelFromStatus, levelFromText } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { captureTarget, type FieldRef, getField, resolveField, setField } from './field-access';
import { compilePattern } from './pattern-engine';
import { atPath, PipelineError } from './pipeline-error';
import type { PipelineDeps, PipelineStep } from './pipeline.types';
import type { CompiledStep, RunState } from './run-state';

type ParseStep = Extract<PipelineStep, { type: 'parse' }>;

/**
 * A parse step: a built-in format, a pattern, or (with neither) format detection. A line it
 * cannot read keeps its text and gets `parseError`, unless `onFailure` is `drop`; a later parse
 * of the same source that works clears that error, so parse steps can be tried in turn.
 */
export function compileParseStep(step: ParseStep, path: string, deps: PipelineDeps): CompiledStep {
  const { format, pattern, source = 'message', onFailure = 'keep' } = step;
  if (format !== undefined && pattern !== undefined) {
    throw new PipelineError(path, 'give a format or a pattern, not both');
  }
  if (onFailure !== 'keep' && onFailure !== 'drop') {
    throw new PipelineError(`${path}.onFailure`, 'must be "keep" or "drop"');
  }
  const sourceRef = resolveField(source, `${path}.source`);
  const read =
    pattern !== undefined
      ? patternReader(pattern, path, deps)
      : format !== undefined
        ? formatReader(format, path, deps)
        : detectReader(deps);

  return {
    run(state) {
      const text = getField(state.parsed, sourceRef);
      const reading: Reading =
        typeof text === 'string'
          ? read(state, text, sourceRef)
          : { failure: `${source} holds no text` };
      if ('failure' in reading) {
        state.failedSources.set(source, `${path}: ${reading.failure}`);
        if (onFailure === 'drop') state.dropped = true;
        return { outcome: onFailure === 'drop' ? 'dropped' : 'no-match', detail: reading.failure };
      }
      reading.apply();
      state.failedSources.delete(source);
      state.matched ??= reading.matched;
      return { outcome: 'applied', detail: reading.matched };
    },
  };
}

type Reading = { failure: string } | { matched: string; apply: () => void };
type Reader = (state: RunState, text: string, source: FieldRef) => Reading;

function patternReader(pattern: string, path: string, deps: PipelineDeps): Reader {
  if (typeof pattern !== 'string' || pattern === '') {
    throw new PipelineError(`${path}.pattern`, 'must be a non-empty pattern');
  }
  const compiled = atPath(`${path}.pattern`, () =>
    compilePattern(pattern, { customPatterns: deps.customPatterns }),
  );
  return (state, text) => {
    const captures = compiled.match(text);
    return captures
      ? { matched: `pattern:${path}`, apply: () => applyCaptures(state, captures) }
      : { failure: 'pattern did not match' };
  };
}

function formatReader(format: string, path: string, deps: PipelineDeps): Reader {
  if (!deps.formats.formatNames.includes(format)) {
    throw new PipelineError(
      `${path}.format`,
      `unknown format ${JSON.stringify(format)} (known: ${deps.formats.formatNames.join(', ')})`,
    );
  }
  return (state, text, source) =>
    parsedReading(
      state,
      deps.formats.parseWithFormat(format, text, state.context),
      `format:${format}`,
      source,
      text,
    );
}

function detectReader(deps: PipelineDeps): Reader {
  return (state, text, source) => {
    const detected = deps.formats.detectFormat(text, state.context);
    return parsedReading(state, detected.parsed, `auto:${detected.format}`, source, text);
  };
}

/**
 * A format declines a line by returning it as bare text with `parseError` set; then nothing is
 * taken. A result that did extract something but has a problem (a JSON line whose timestamp
 * could not be read) is used, and the problem goes to `parseError`.
 */
function parsedReading(
  state: RunState,
  parsed: ParsedLog,
  matched: string,
  source: FieldRef,
  text: string,
): Reading {
  const { parseError } = parsed;
  if (parseError !== null && extractedNothing(parsed, text)) return { failure: parseError };
  return {
    matched,
    apply: () => {
      merge(state, parsed, source, text);
      if (parseError !== null) state.problems.push(parseError);
    },
  };
}

function extractedNothing(parsed: ParsedLog, text: string): boolean {
  return (
    parsed.message === text &&
    Object.keys(parsed.fields).length === 0 &&
    parsed.statusCode === null &&
    parsed.method === null &&
    parsed.path === null &&
    parsed.latencyMs === null
  );
}

/**
 * Takes what another parse found into the log. A column the result left at its default (time of
 * receipt, level info, no host) does not overwrite one an earlier step found; guesses do not
 * count as found. The message is taken when the source was the message or a new one was found.
 */
function merge(state: RunState, result: ParsedLog, source: FieldRef, text: string): void {
  const { parsed, context, guessed } = state;
  if (result.ts !== context.receivedAt || guessed.ts) {
    parsed.ts = result.ts;
    guessed.ts &&= result.ts === context.receivedAt;
  }
  if (result.level !== DEFAULT_LEVEL || guessed.level) parsed.level = result.level;
  guessed.level = false;
  if (result.host !== null && (result.host !== (context.host ?? null) || parsed.host === null)) {
    parsed.host = result.host;
  }
  parsed.statusCode = result.statusCode ?? parsed.statusCode;
  parsed.method = result.method ?? parsed.method;
  parsed.path = result.path ?? parsed.path;
  parsed.latencyMs = result.latencyMs ?? parsed.latencyMs;
  if (('column' in source && source.column === 'message') || result.message !== text) {
    parsed.message = result.message;
  }
  Object.assign(parsed.fields, result.fields);
}

/**
 * Captures named like columns fill them (converted); the rest go to `fields`. A value a column
 * cannot take is kept as `<name>_unparsed`. Without a captured level, a guessed one is redone
 * from the captured status (an access log line is as severe as its status) or message.
 */
function applyCaptures(state: RunState, captures: Record<string, unknown>): void {
  const { parsed, guessed } = state;
  const set = new Set<string>();
  for (const [name, value] of Object.entries(captures)) {
    const target = captureTarget(name);
    if (setField(parsed, target, value, state.context) === undefined) {
      if ('column' in target) set.add(target.column);
      continue;
    }
    parsed.fields[`${name}_unparsed`] = value;
    if ('column' in target && target.column === 'ts') {
      state.problems.push(`unrecognised timestamp ${JSON.stringify(value)}`);
    }
  }
  if (set.has('ts')) guessed.ts = false;
  if (set.has('level')) {
    guessed.level = false;
  } else if (guessed.level && set.has('statusCode')) {
    parsed.level = levelFromStatus(parsed.statusCode) ?? DEFAULT_LEVEL;
    guessed.level = false;
  } else if (guessed.level && set.has('message')) {
    parsed.level = levelFromText(parsed.message) ?? DEFAULT_LEVEL;
  }
}
