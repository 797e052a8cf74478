import { compileParseStep } from './parse-step';
import {
  compileRedactStep,
  compileRemoveStep,
  compileRenameStep,
  compileSetStep,
  compileTagStep,
} from './edit-steps';
import { compileDropStep, compileSampleStep } from './filter-steps';
import { PipelineError } from './pipeline-error';
import type {
  CompiledPipeline,
  PipelineDeps,
  PipelineDefinition,
  PipelineStep,
  StepReport,
} from './pipeline.types';
import { type CompiledStep, finishedParseError, startRun } from './run-state';
import { stepType } from './step-keys';

/**
 * Checks a whole pipeline and compiles it: every pattern, condition, field and format is
 * validated here, so a bad definition is refused when saved (`PipelineError` with the step and
 * the problem), never half-way through a batch. The compiled pipeline is pure and reusable.
 */
export function compilePipeline(
  definition: PipelineDefinition,
  deps: PipelineDeps,
): CompiledPipeline {
  if (!Array.isArray((definition as { steps?: unknown } | null)?.steps)) {
    throw new PipelineError('steps', 'must be a list');
  }
  const steps = definition.steps.map((step, index) => {
    const path = `steps[${index}]`;
    return { index, type: stepType(step, path), compiled: compileStep(step, path, index, deps) };
  });
  // Without a parse step the line is still understood: detect its format first.
  const detect = steps.some((step) => step.type === 'parse')
    ? undefined
    : compileParseStep({ type: 'parse' }, 'auto-detect', deps);

  return {
    run(line, context) {
      const state = startRun(line, context);
      const reports: StepReport[] = [];
      const errors: string[] = [];
      if (detect) runGuarded(detect, 'auto-detect');
      for (const { index, type, compiled } of steps) {
        if (state.dropped) break;
        reports.push({ index, type, ...runGuarded(compiled, `steps[${index}]`) });
      }
      if (!state.dropped) state.parsed.parseError = finishedParseError(state);
      return {
        parsed: state.dropped ? null : state.parsed,
        raw: state.raw,
        steps: reports,
        matched: state.matched ?? 'none',
        errors,
      };

      // A step that fails at run time (a format that throws) is reported; the line goes on.
      function runGuarded(step: CompiledStep, path: string) {
        let result;
        try {
          result = step.run(state);
        } catch (error) {
          result = { outcome: 'error' as const, detail: (error as Error).message };
        }
        if (result.outcome === 'error') errors.push(`${path}: ${result.detail}`);
        return result;
      }
    },
  };
}

function compileStep(
  step: PipelineStep,
  path: string,
  index: number,
  deps: PipelineDeps,
): CompiledStep {
  switch (step.type) {
    case 'parse':
      return compileParseStep(step, path, deps);
    case 'set':
      return compileSetStep(step, path, deps);
    case 'rename':
      return compileRenameStep(step, path);
    case 'remove':
      return compileRemoveStep(step, path);
    case 'tag':
      return compileTagStep(step, path, deps);
    case 'drop':
      return compileDropStep(step, path, deps);
    case 'redact':
      return compileRedactStep(step, path, deps);
    case 'sample':
      return compileSampleStep(step, path, index, deps);
  }
}
