import { DEFAULT_LEVEL } from '@app/contracts';

/** Level words seen in the wild, mapped to syslog severity. */
const LEVEL_WORDS: Record<string, number> = {
  emerg: 0,
  emergency: 0,
  panic: 0,
  alert: 1,
  crit: 2,
  critical: 2,
  fatal: 2,
  severe: 3,
  err: 3,
  error: 3,
  eror: 3,
  warn: 4,
  warning: 4,
  notice: 5,
  info: 6,
  information: 6,
  informational: 6,
  debug: 7,
  trace: 7,
  verbose: 7,
};

/** A level from a word (`ERROR`, `warn`, `Information`), or undefined when it is not one. */
export function levelFromWord(word: string): number | undefined {
  return LEVEL_WORDS[word.toLowerCase()];
}

/**
 * A level from a structured value: a word, a syslog severity 0–7, or a pino/bunyan number
 * (10 trace … 60 fatal).
 */
export function levelFromValue(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed)) return levelFromValue(Number(trimmed));
    return levelFromWord(trimmed);
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value >= 0 && value <= 7) return value;
    if (value >= 10 && value <= 60) {
      if (value >= 60) return 2;
      if (value >= 50) return 3;
      if (value >= 40) return 4;
      if (value >= 30) return 6;
      return 7;
    }
  }
  return undefined;
}

// Whole words only, so `errors.log` or `informal` are not levels; `level=error` is.
const LEVEL_IN_TEXT =
  /\b(emerg|emergency|panic|alert|crit|critical|fatal|severe|err|error|warn|warning|notice|info|debug|trace)\b/i;

/** Looks for a level word near the start of free text (where loggers put it). */
export function levelFromText(text: string): number | undefined {
  const match = LEVEL_IN_TEXT.exec(text.length > 200 ? text.slice(0, 200) : text);
  return match ? levelFromWord(match[1]) : undefined;
}

/** HTTP status to level when the line itself names no level: 5xx error, 4xx warning. */
export function levelFromStatus(status: number | null): number | undefined {
  if (status === null) return undefined;
  if (status >= 500) return 3;
  if (status >= 400) return 4;
  return undefined;
}

export { DEFAULT_LEVEL };
