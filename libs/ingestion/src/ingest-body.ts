import type { IngestLineError } from '@app/contracts';

export interface DecodedLines {
  /** Raw lines in request order. JSON objects are kept as their JSON text. */
  lines: string[];
  rejected: IngestLineError[];
}

/** Content types the ingest endpoint accepts, after the media type's parameters are cut. */
export const INGEST_CONTENT_TYPES = [
  'application/json',
  'application/x-ndjson',
  'text/plain',
] as const;

/** Splits text into lines (LF or CRLF), skipping empty ones, calling back with 1-based numbers. */
function eachLine(text: string, visit: (line: string, number: number) => void): void {
  let start = 0;
  let number = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    number++;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() !== '') visit(line, number);
    start = end + 1;
  }
}

/** `text/plain`: every non-empty line is a log line. */
export function decodePlainText(text: string): DecodedLines {
  const lines: string[] = [];
  eachLine(text.replace(/^\uFEFF/, ''), (line) => lines.push(line));
  return { lines, rejected: [] };
}

/** `application/x-ndjson`: every non-empty line must be a JSON object; bad lines are reported by number. */
export function decodeNdjson(text: string): DecodedLines {
  const lines: string[] = [];
  const rejected: IngestLineError[] = [];
  eachLine(text.replace(/^\uFEFF/, ''), (line, number) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      rejected.push({ line: number, error: `invalid JSON: ${(error as Error).message}` });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rejected.push({ line: number, error: 'expected a JSON object' });
      return;
    }
    lines.push(line);
  });
  return { lines, rejected };
}

/**
 * `application/json`: one object, or an array of objects and strings (a string is a plain line).
 * For an array, `line` in a rejection is the 1-based element number.
 */
export function decodeJson(value: unknown): DecodedLines {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { lines: [JSON.stringify(value)], rejected: [] };
  }
  if (!Array.isArray(value)) {
    return {
      lines: [],
      rejected: [{ line: 1, error: 'expected a JSON object or an array of objects' }],
    };
  }
  const lines: string[] = [];
  const rejected: IngestLineError[] = [];
  value.forEach((element, index) => {
    if (typeof element === 'string') {
      if (element.trim() !== '') lines.push(element);
    } else if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
      lines.push(JSON.stringify(element));
    } else {
      rejected.push({ line: index + 1, error: 'expected a JSON object or a string' });
    }
  });
  return { lines, rejected };
}
