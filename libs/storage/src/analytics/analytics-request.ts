import { BadRequestException } from '@nestjs/common';
import { LOG_LEVELS } from '@app/contracts';
import { parseQuery, QuerySyntaxError, type QueryNode } from '../query';
import type { LogFilterQueryDto } from './analytics.dto';
import { IntervalError, resolveInterval, type BucketInterval } from './intervals';
import type { LogFilter } from '../log-filter';
import { resolveTimeRange, TimeRangeError } from './time-range';

/**
 * Parses query-language text; a syntax error becomes a 400 that carries where it is and what was
 * expected, so the dashboard can point at it. Blank text → null (everything matches).
 */
export function parseUserQuery(text: string | undefined): QueryNode | null {
  if (text === undefined || text.trim() === '') return null;
  try {
    return parseQuery(text);
  } catch (error) {
    throw toQueryError(error);
  }
}

/**
 * QuerySyntaxError (from parsing or compiling) → 400 with position and expected, worded as
 * GET /api/v1/logs words it; anything else unchanged.
 */
export function toQueryError(error: unknown): unknown {
  if (!(error instanceof QuerySyntaxError)) return error;
  return new BadRequestException({
    message: `Invalid query: ${error.message}`,
    position: error.position,
    expected: error.expected,
  });
}

/** The request's filters with the time range resolved (default: last 24 h) and capped. */
export function toLogFilter(
  query: LogFilterQueryDto,
  maxSpanMs: number,
  now: Date = new Date(),
): LogFilter {
  let range: { from: Date; to: Date };
  try {
    range = resolveTimeRange({ from: query.from, to: query.to }, now, maxSpanMs);
  } catch (error) {
    if (error instanceof TimeRangeError) throw new BadRequestException(error.message);
    throw error;
  }
  return {
    ...range,
    levels: query.level?.map((name) => LOG_LEVELS.indexOf(name)),
    sources: query.source,
    hosts: query.host,
    query: parseUserQuery(query.q),
  };
}

export function toBucketInterval(text: string | undefined, filter: LogFilter): BucketInterval {
  try {
    return resolveInterval(text, filter.to.getTime() - filter.from.getTime());
  } catch (error) {
    if (error instanceof IntervalError) throw new BadRequestException(error.message);
    throw error;
  }
}
