import {
  FORMAT_NAMES,
  compilePipeline,
  detectFormat,
  parseWithFormat,
  utcOffsetMinutes,
  type CompiledPipeline,
  type LineContext,
  type ParsedLog,
  type PipelineRun,
  type PipelineStep,
} from '@app/parsing';

/** The built-in formats as the pipeline compiler sees them. */
const FORMATS = { parseWithFormat, detectFormat, formatNames: FORMAT_NAMES };

export interface SourcePipeline {
  run(line: string, context: LineContext): PipelineRun;
}

/**
 * Compiles steps with the user's grok patterns; throws PipelineError (step index and problem) for
 * anything invalid. With no steps, lines are auto-detected. `timeZone` reads zone-less timestamps;
 * for an IANA zone the offset in force when the line is received is used, which is exact for live
 * logs and off by the daylight-saving shift for old lines from the other season.
 */
export function compileSourcePipeline(
  steps: PipelineStep[],
  customPatterns: Record<string, string>,
  timeZone: string | null,
): SourcePipeline {
  const compiled: CompiledPipeline = compilePipeline(
    { steps },
    { formats: FORMATS, customPatterns },
  );
  return {
    run: (line, context) =>
      compiled.run(line, {
        ...context,
        utcOffsetMinutes: timeZone ? (utcOffsetMinutes(timeZone, context.receivedAt) ?? 0) : 0,
      }),
  };
}

/** How a line without a pipeline is read: the transport's hint (syslog), else auto-detect. */
export function parseWithoutPipeline(
  raw: string,
  context: LineContext,
  hint?: 'syslog',
): ParsedLog {
  if (hint === 'syslog') return parseWithFormat('syslog', raw, context);
  return detectFormat(raw, context).parsed;
}
