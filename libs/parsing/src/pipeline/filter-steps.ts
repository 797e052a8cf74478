import { compileWhen } from './conditions';
import { PipelineError } from './pipeline-error';
import type { PipelineDeps, PipelineStep } from './pipeline.types';
import type { CompiledStep } from './run-state';
import { keepsSample } from './sampling';

type Step<T extends PipelineStep['type']> = Extract<PipelineStep, { type: T }>;

export function compileDropStep(
  step: Step<'drop'>,
  path: string,
  deps: PipelineDeps,
): CompiledStep {
  if (step.when === undefined) {
    throw new PipelineError(
      `${path}.when`,
      'is required (a drop without it would drop every line)',
    );
  }
  const when = compileWhen(step.when, `${path}.when`, deps.customPatterns);
  return {
    run(state) {
      if (!when(state.parsed)) return { outcome: 'skipped', detail: 'condition not met' };
      state.dropped = true;
      return { outcome: 'dropped' };
    },
  };
}

/** Keeps one line in `keepOneIn`, chosen by a hash of the raw line (see `keepsSample`). */
export function compileSampleStep(
  step: Step<'sample'>,
  path: string,
  index: number,
  deps: PipelineDeps,
): CompiledStep {
  const { keepOneIn } = step;
  if (typeof keepOneIn !== 'number' || !Number.isInteger(keepOneIn) || keepOneIn < 1) {
    throw new PipelineError(`${path}.keepOneIn`, 'must be a whole number of at least 1');
  }
  const when = compileWhen(step.when, `${path}.when`, deps.customPatterns);
  return {
    run(state) {
      if (!when(state.parsed)) return { outcome: 'skipped', detail: 'condition not met' };
      if (keepsSample(state.line, keepOneIn, index)) return { outcome: 'applied', detail: 'kept' };
      state.dropped = true;
      return { outcome: 'dropped', detail: `sampled out (1 in ${keepOneIn} kept)` };
    },
  };
}
