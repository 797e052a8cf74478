import type { LineContext, ParsedLog } from '../parsed-log';

/**
 * Field names: `message`, `level` (a name or number, stored as syslog severity), `host`,
 * `status`, `method`, `path`, `latency_ms` and `ts` are the columns; `fields.x.y` or any other
 * bare name is `parsed.fields['x.y']`; `tags` is the list in `fields.tags`.
 */
export type Condition =
  | { field: string; equals: string | number | boolean }
  | { field: string; in: (string | number)[] }
  | { field: string; matches: string /* RE2 pattern */ }
  | { field: string; exists: boolean }
  | { field: string; gte?: number; lte?: number }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export type RedactionDetector = 'email' | 'credit-card' | 'bearer-token' | 'url-password' | 'ip';

export type PipelineStep =
  | {
      type: 'parse';
      format?: string;
      pattern?: string;
      source?: string /* field to parse, default 'message' */;
      onFailure?: 'keep' | 'drop';
    }
  | { type: 'set'; field: string; value: string | number | boolean; when?: Condition }
  | { type: 'rename'; from: string; to: string }
  | { type: 'remove'; fields: string[] }
  | { type: 'tag'; tags: string[]; when?: Condition }
  | { type: 'drop'; when: Condition }
  | {
      type: 'redact';
      detectors?: RedactionDetector[];
      patterns?: string[];
      fields?: string[];
      replacement?: string;
    }
  | { type: 'sample'; keepOneIn: number; when?: Condition };

export interface PipelineDefinition {
  steps: PipelineStep[];
}

/**
 * The built-in formats as the pipeline needs them (`@app/parsing`'s `parseWithFormat`,
 * `detectFormat` and `FORMAT_NAMES`). A format declines a line by returning it as bare text with
 * `parseError` set.
 */
export interface FormatsApi {
  readonly formatNames: readonly string[];
  parseWithFormat(name: string, line: string, context: PipelineContext): ParsedLog;
  detectFormat(line: string, context: PipelineContext): { format: string; parsed: ParsedLog };
}

export interface PipelineDeps {
  formats: FormatsApi;
  customPatterns?: Readonly<Record<string, string>>;
}

/** What a pipeline knows about a line besides its text. */
export type PipelineContext = LineContext & {
  /** Zone of timestamps that carry none, in minutes east of UTC (default 0). */
  utcOffsetMinutes?: number;
};

export type StepOutcome = 'applied' | 'skipped' | 'no-match' | 'dropped' | 'error';

export interface StepReport {
  index: number;
  type: PipelineStep['type'];
  outcome: StepOutcome;
  detail?: string;
}

export interface PipelineRun {
  /** null when a step dropped the line. */
  parsed: ParsedLog | null;
  /**
   * The raw line as it may be stored: the input with every redact step that ran applied to it,
   * so a secret removed from `message` does not survive in `raw`.
   */
  raw: string;
  /** The steps that ran, in order; the ones after a drop do not run. */
  steps: StepReport[];
  /** What understood the line: `format:nginx-access`, `pattern:steps[0]`, `auto:json`, `none`. */
  matched: string;
  /** Steps that failed at run time (`steps[3]: …`); the line goes on regardless. */
  errors: string[];
}

export interface CompiledPipeline {
  run(line: string, context: PipelineContext): PipelineRun;
}
