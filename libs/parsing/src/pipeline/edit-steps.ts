import { compileWhen } from './conditions';
import {
  type FieldRef,
  getField,
  removeField,
  resolveField,
  resolveRemovableField,
  setField,
} from './field-access';
import { PipelineError } from './pipeline-error';
import type { PipelineDeps, PipelineStep } from './pipeline.types';
import { compileRedactor } from './redaction';
import { type CompiledStep, type RunState, startRun, type StepResult } from './run-state';

type Step<T extends PipelineStep['type']> = Extract<PipelineStep, { type: T }>;

const SKIPPED: StepResult = { outcome: 'skipped', detail: 'condition not met' };

export function compileSetStep(step: Step<'set'>, path: string, deps: PipelineDeps): CompiledStep {
  const ref = resolveField(step.field, `${path}.field`);
  const { value } = step;
  if (!['string', 'number', 'boolean'].includes(typeof value)) {
    throw new PipelineError(`${path}.value`, 'must be a string, number or boolean');
  }
  // A column takes only what it can hold (`level: "loud"` cannot be): check it now.
  const scratch = startRun('', { receivedAt: Date.now() });
  const problem = setField(scratch.parsed, ref, value, scratch.context);
  if (problem) throw new PipelineError(`${path}.value`, problem);
  const when = compileWhen(step.when, `${path}.when`, deps.customPatterns);
  return {
    run(state) {
      if (!when(state.parsed)) return SKIPPED;
      const failed = setField(state.parsed, ref, value, state.context);
      if (failed) return { outcome: 'error', detail: failed };
      settle(state, ref);
      return { outcome: 'applied' };
    },
  };
}

export function compileRenameStep(step: Step<'rename'>, path: string): CompiledStep {
  const from = resolveRemovableField(step.from, `${path}.from`);
  const to = resolveField(step.to, `${path}.to`);
  if (JSON.stringify(from) === JSON.stringify(to)) {
    throw new PipelineError(`${path}.to`, 'is the same field as from');
  }
  return {
    run(state) {
      const value = getField(state.parsed, from);
      if (value === undefined || value === null) {
        return { outcome: 'skipped', detail: `${step.from} has no value` };
      }
      const failed = setField(state.parsed, to, value, state.context);
      if (failed) return { outcome: 'error', detail: failed };
      removeField(state.parsed, from);
      settle(state, to);
      return { outcome: 'applied' };
    },
  };
}

export function compileRemoveStep(step: Step<'remove'>, path: string): CompiledStep {
  const refs = nonEmptyList(step.fields, `${path}.fields`).map((name, i) =>
    resolveRemovableField(name, `${path}.fields[${i}]`),
  );
  return {
    run(state) {
      const removed = refs.filter((ref) => removeField(state.parsed, ref)).length;
      return removed > 0
        ? { outcome: 'applied', detail: `${removed} removed` }
        : { outcome: 'skipped', detail: 'none present' };
    },
  };
}

/** Tags live in `fields.tags` as a list without repeats; a lone text tag becomes a list. */
export function compileTagStep(step: Step<'tag'>, path: string, deps: PipelineDeps): CompiledStep {
  const tags = nonEmptyList(step.tags, `${path}.tags`).map((tag, i) => {
    if (typeof tag !== 'string' || tag === '') {
      throw new PipelineError(`${path}.tags[${i}]`, 'a tag must be non-empty text');
    }
    return tag;
  });
  const when = compileWhen(step.when, `${path}.when`, deps.customPatterns);
  return {
    run(state) {
      if (!when(state.parsed)) return SKIPPED;
      const current = state.parsed.fields.tags;
      if (current !== undefined && typeof current !== 'string' && !Array.isArray(current)) {
        return { outcome: 'error', detail: 'fields.tags is neither a list nor text' };
      }
      const list = current === undefined ? [] : Array.isArray(current) ? current : [current];
      state.parsed.fields.tags = [...list, ...tags.filter((tag) => !list.includes(tag))];
      return { outcome: 'applied' };
    },
  };
}

/** Redacts the log and the raw line, so a secret does not survive in what is stored as `raw`. */
export function compileRedactStep(
  step: Step<'redact'>,
  path: string,
  deps: PipelineDeps,
): CompiledStep {
  const redactor = compileRedactor(step, path, deps.customPatterns);
  return {
    run(state) {
      const count = redactor.redactLog(state.parsed);
      state.raw = redactor.redactText(state.raw).text;
      return count > 0
        ? { outcome: 'applied', detail: `${count} replaced` }
        : { outcome: 'skipped', detail: 'nothing to redact' };
    },
  };
}

/** A time or level a step set on purpose is no longer a guess a later parse may replace. */
function settle(state: RunState, ref: FieldRef): void {
  if ('column' in ref && ref.column === 'ts') state.guessed.ts = false;
  if ('column' in ref && ref.column === 'level') state.guessed.level = false;
}

function nonEmptyList(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new PipelineError(path, 'must be a non-empty list');
  }
  return value;
}
