import { Injectable, Logger } from '@nestjs/common';
import type { LogRecord } from '@app/contracts';
// The query language, the same as the search API's.
import * as queryLanguage from '@app/storage';

/** A live-tail query, compiled once per subscription and run against every stored line. */
export interface CompiledLiveQuery {
  readonly text: string;
  matches(record: LogRecord): boolean;
  /** Ranges of `message` to highlight: [start, end). */
  spans(message: string): [number, number][];
}

/** A query that cannot be compiled: a syntax error (with position) or a rejected construct. */
export class LiveQueryError extends Error {
  constructor(
    message: string,
    readonly position: number | null,
    readonly expected: string[],
  ) {
    super(message);
    this.name = 'LiveQueryError';
  }
}

const MATCH_EVERYTHING = { matches: () => true, spans: () => [] as [number, number][] };

/** The seam between live tail and the query language (parse, match, highlight). */
@Injectable()
export class LiveQueryCompiler {
  private readonly logger = new Logger(LiveQueryCompiler.name);

  /** @throws LiveQueryError */
  compile(text: string): CompiledLiveQuery {
    if (text.trim() === '') return { text, ...MATCH_EVERYTHING };
    let node: ReturnType<typeof queryLanguage.parseQuery>;
    let matcher: ((record: LogRecord) => boolean) | undefined;
    try {
      node = queryLanguage.parseQuery(text);
      matcher = node === null ? undefined : queryLanguage.compileQueryMatcher(node);
    } catch (error) {
      if (error instanceof queryLanguage.QuerySyntaxError) {
        const { position, expected } = error as { position?: unknown; expected?: unknown };
        throw new LiveQueryError(error.message, toPosition(position), toExpected(expected));
      }
      // Not a syntax error (e.g. a construct the matcher refuses): still the query's fault.
      const message = error instanceof Error ? error.message : String(error);
      this.logger.debug(`Query "${text}" refused: ${message}`);
      throw new LiveQueryError(message, null, []);
    }
    if (node === null || matcher === undefined) return { text, ...MATCH_EVERYTHING };
    const compiled = node;
    return {
      text,
      matches: matcher,
      spans: (message) => queryLanguage.highlightSpans(compiled, message),
    };
  }
}

function toPosition(position: unknown): number | null {
  return typeof position === 'number' && Number.isFinite(position) ? position : null;
}

function toExpected(expected: unknown): string[] {
  if (Array.isArray(expected)) return expected.map(String);
  if (typeof expected === 'string' && expected) return [expected];
  return [];
}
