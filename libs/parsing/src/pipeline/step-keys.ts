import { PipelineError } from './pipeline-error';
import type { PipelineStep } from './pipeline.types';

/** The keys each step type takes; anything else is a typo worth reporting (`onfailure`). */
export const STEP_KEYS: Readonly<Record<PipelineStep['type'], readonly string[]>> = {
  parse: ['format', 'pattern', 'source', 'onFailure'],
  set: ['field', 'value', 'when'],
  rename: ['from', 'to'],
  remove: ['fields'],
  tag: ['tags', 'when'],
  drop: ['when'],
  redact: ['detectors', 'patterns', 'fields', 'replacement'],
  sample: ['keepOneIn', 'when'],
};

/** Checks the step's shape and returns its type. */
export function stepType(step: unknown, path: string): PipelineStep['type'] {
  if (step === null || typeof step !== 'object' || Array.isArray(step)) {
    throw new PipelineError(path, 'a step must be an object');
  }
  const { type } = step as { type?: unknown };
  if (typeof type !== 'string' || !Object.hasOwn(STEP_KEYS, type)) {
    throw new PipelineError(
      `${path}.type`,
      `unknown step type ${JSON.stringify(type)} (use ${Object.keys(STEP_KEYS).join(', ')})`,
    );
  }
  const allowed = STEP_KEYS[type as PipelineStep['type']];
  const extra = Object.keys(step).find((key) => key !== 'type' && !allowed.includes(key));
  if (extra !== undefined) {
    throw new PipelineError(
      path,
      `unknown key "${extra}" for a ${type} step (allowed: ${allowed.join(', ')})`,
    );
  }
  return type as PipelineStep['type'];
}
