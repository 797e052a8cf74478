import type { LineContext, ParsedLog } from '../parsed-log';

/** What a format knows about a line besides its text. */
export interface FormatContext extends LineContext {
  /** Minutes east of UTC for timestamps without a zone (a source's default time zone). Default 0. */
  utcOffsetMinutes?: number;
}

/** A built-in log format: one file in this folder, one line in registry.ts. */
export interface LogFormat {
  /** Stable id used in configuration, e.g. 'nginx-access'. */
  name: string;
  description: string;
  /** Cheap test (a few character checks, no full regex) that this line may be this format; used by auto-detect. */
  sniff(line: string): boolean;
  /** The parsed line, or undefined when the line is not in this format (the caller then tries another). */
  parse(line: string, context: FormatContext): ParsedLog | undefined;
}
