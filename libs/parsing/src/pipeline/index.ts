// Pattern engine (grok on RE2) and pipelines: pure functions, no Nest, no I/O.
export { compilePattern, type CompiledPattern, type PatternOptions } from './pattern-engine';
export { PatternError } from './pattern-error';
export { GROK_PATTERNS } from './grok-library';
export { MAX_PATTERN_LENGTH } from './grok-expander';
export { compilePipeline } from './compile-pipeline';
export { PipelineError } from './pipeline-error';
export type {
  CompiledPipeline,
  Condition,
  FormatsApi,
  PipelineContext,
  PipelineDefinition,
  PipelineDeps,
  PipelineRun,
  PipelineStep,
  RedactionDetector,
  StepOutcome,
  StepReport,
} from './pipeline.types';
