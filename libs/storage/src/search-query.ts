import { BadRequestException } from '@nestjs/common';
import { parseQuery, QuerySyntaxError, type QueryNode } from './query';

/** Parses `q`; a syntax error becomes a 400 that says where and what was expected. */
export function parseSearchQuery(text: string | undefined): QueryNode | null {
  if (text === undefined || text.trim() === '') return null;
  try {
    return parseQuery(text);
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `Invalid query: ${error.message}`,
        position: error.position,
        expected: error.expected,
      });
    }
    throw error;
  }
}
